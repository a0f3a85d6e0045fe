using Npgsql;
using PgKit.Testing;

namespace PgKit.Migrations.Tests.Support;

/// <summary>A fresh database on the shared test server for one test, dropped when disposed.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly TestPostgres _server;

    private TestDatabase(TestPostgres server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>An unpooled connection string to the database.</summary>
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var server = await TestPostgres.SharedAsync();
        var name = "pgkit_mig_" + Guid.NewGuid().ToString("N")[..16];
        return new TestDatabase(server, name, await server.CreateDatabaseAsync(name));
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public Task<bool> TableExistsAsync(string table) =>
        ScalarAsync<bool>($"SELECT to_regclass('{table}') IS NOT NULL");

    public async Task<long[]> AppliedVersionsAsync()
    {
        if (!await TableExistsAsync("pgkit_migrations"))
        {
            return [];
        }

        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM pgkit_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<long>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt64(0));
        }

        return [.. versions];
    }

    public async ValueTask DisposeAsync() => await _server.DropDatabaseAsync(Name);
}
