using Npgsql;

namespace PgKit.Tests.Support;

/// <summary>
/// A fresh database per test class (use as <c>IClassFixture</c>), so classes run in parallel without sharing state.
/// It is dropped WITH (FORCE) when the class is done.
/// </summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private static int tableCounter;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<object>>> once = new();

    public DatabaseFixture()
    {
        DatabaseName = "pgkit_core_" + Guid.NewGuid().ToString("N")[..16];
        ConnectionString = new NpgsqlConnectionStringBuilder(TestServer.AdminConnectionString) { Database = DatabaseName, Pooling = true }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string DatabaseName { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public async ValueTask InitializeAsync()
        => await (await PgKit.Testing.TestPostgres.SharedAsync()).CreateDatabaseAsync(DatabaseName);

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await (await PgKit.Testing.TestPostgres.SharedAsync()).DropDatabaseAsync(DatabaseName);
    }

    public Task<NpgsqlConnection> OpenAsync() => DataSource.OpenConnectionAsync().AsTask();

    /// <summary>
    /// Runs <paramref name="setup"/> once per database (xunit creates the test class, and runs its IAsyncLifetime, per test).
    /// </summary>
    public async Task<T> OnceAsync<T>(string key, Func<Task<T>> setup)
        where T : notnull
        => (T)await once.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => await setup())).Value;

    /// <summary>Creates a table with a unique name from a column list and returns the name.</summary>
    public async Task<string> CreateTableAsync(string columns)
    {
        var name = "t" + Interlocked.Increment(ref tableCounter);
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE TABLE {name} ({columns})", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }
}
