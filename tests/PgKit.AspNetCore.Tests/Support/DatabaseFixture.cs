using Npgsql;

namespace PgKit.AspNetCore.Tests.Support;

/// <summary>
/// A fresh database per test class (named <c>pgkit_web_*</c>), so classes run in parallel; dropped at the end.
/// Helper queries use unpooled connections, so they never show up as idle backends in the counts the tests make.
/// </summary>
public abstract class DatabaseFixture : IAsyncLifetime
{
    private readonly List<string> _databases = [];

    public string ConnectionString { get; private set; } = "";

    public string DatabaseName { get; private set; } = "";

    /// <summary>Gets the SQL that creates the class's schema.</summary>
    protected virtual string Schema => "";

    public async ValueTask InitializeAsync()
    {
        (DatabaseName, ConnectionString) = await CreateDatabaseAsync();
        if (Schema.Length > 0)
        {
            await ExecuteAsync(Schema);
        }
    }

    /// <summary>Creates another fresh database (dropped with the fixture), for tests with named databases.</summary>
    public async Task<(string Name, string ConnectionString)> CreateDatabaseAsync()
    {
        var name = "pgkit_web_" + GetType().Name.ToLowerInvariant().Replace("fixture", "", StringComparison.Ordinal) + "_" +
            Guid.NewGuid().ToString("N")[..8];
        _databases.Add(name);
        var server = await PgKit.Testing.TestPostgres.SharedAsync();
        return (name, await server.CreateDatabaseAsync(name));
    }

    public async ValueTask DisposeAsync()
    {
        var server = await PgKit.Testing.TestPostgres.SharedAsync();
        foreach (var name in _databases)
        {
            await server.DropDatabaseAsync(name);
        }
    }

    public static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Unpooled(ConnectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(Unpooled(ConnectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Counts the other backends connected to the class's database, optionally only those in a given state.</summary>
    public Task<long> CountBackendsAsync(string? state = null) => ScalarAsync<long>(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" +
        (state is null ? "" : $" AND state = '{state}'"));

    /// <summary>Counts the backends of the class's database that are not idle (active, idle in transaction...).</summary>
    public Task<long> CountBusyBackendsAsync() => ScalarAsync<long>(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'");

    /// <summary>Polls until <paramref name="condition"/> holds, or fails after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
