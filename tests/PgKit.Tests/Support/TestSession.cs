using Npgsql;

namespace PgKit.Tests.Support;

/// <summary>A minimal <see cref="IPgSession"/> over one connection, standing in for the ASP.NET Core layer's Db.</summary>
internal sealed class TestSession(NpgsqlConnection connection) : IPgSession
{
    public int Calls { get; private set; }

    public ValueTask<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken = default)
    {
        Calls++;
        return ValueTask.FromResult(connection);
    }
}
