using Npgsql;

namespace PgKit.AspNetCore.Benchmarks;

/// <summary>The benchmark's own database on the server named by PGKIT_BENCH_CONNECTION (else an embedded one), created fresh and dropped at the end.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private BenchDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    // Without PGKIT_BENCH_CONNECTION, an ephemeral embedded server for this run (it stops when the process exits).
    private static readonly Lazy<string> Server = new(() =>
        Environment.GetEnvironmentVariable("PGKIT_BENCH_CONNECTION") is { Length: > 0 } connectionString
            ? connectionString
            : PgKit.Embedded.PostgresServer.StartAsync().GetAwaiter().GetResult().ConnectionString);

    /// <summary>The one place that knows where the server is.</summary>
    public static string GetServerConnectionString() => Server.Value;

    public static async Task<BenchDatabase> CreateAsync(int rows)
    {
        var server = GetServerConnectionString();
        var name = "pgkit_web_bench_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 64 }.ConnectionString;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var schema = new NpgsqlCommand($"""
                CREATE TABLE items (id int PRIMARY KEY, title text NOT NULL);
                INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, {rows}) AS i;
                CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
                ANALYZE items;
                """, connection);
            await schema.ExecuteNonQueryAsync();
        }

        NpgsqlConnection.ClearAllPools();
        return new BenchDatabase(name, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(GetServerConnectionString()) { Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
