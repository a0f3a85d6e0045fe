using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgKit.AspNetCore.Hosting;

namespace PgKit.AspNetCore.Tests.Support;

/// <summary>Plain Npgsql commands over an <see cref="IPgSession"/>, with positional parameters ($1, $2...).</summary>
public static class SessionSql
{
    public static async Task<int> RunAsync(this IPgSession session, string sql, CancellationToken cancellationToken, params object?[] args)
    {
        var connection = await session.GetConnectionAsync(cancellationToken);
        await using var command = Command(connection, sql, args);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<T> ValueAsync<T>(this IPgSession session, string sql, CancellationToken cancellationToken, params object?[] args)
    {
        var connection = await session.GetConnectionAsync(cancellationToken);
        await using var command = Command(connection, sql, args);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>Gets the number of requests that hold a connection of the default database right now.</summary>
    public static int ActiveSessions(this WebApplication app, string database = PostgresOptions.DefaultName) =>
        app.Services.GetRequiredService<PostgresDatabases>().Get(database).ActiveSessions;
}
