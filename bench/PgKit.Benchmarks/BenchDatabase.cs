using Npgsql;
using PgKit;

namespace PgKit.Benchmarks;

/// <summary>The benchmark database: one place that knows the server, creates the schema and seeds it.</summary>
public static class BenchDatabase
{
    public const string Name = "pgkit_core_bench";

    public const string Authors = "bench_authors";

    public const string Inserts = "bench_inserts";

    // Single swap point for where the server comes from (the lead will wire the embedded server here).
    public static string AdminConnectionString()
        => Environment.GetEnvironmentVariable("PGKIT_BENCH_CONNECTION") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("Set PGKIT_BENCH_CONNECTION to a superuser connection string, e.g. 'Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres'.");

    public static string ConnectionString()
        => new NpgsqlConnectionStringBuilder(AdminConnectionString()) { Database = Name }.ConnectionString;

    /// <summary>Creates the database and tables if missing and seeds 1,000 authors (each benchmark process calls it).</summary>
    public static async Task<NpgsqlConnection> OpenAsync()
    {
        await using (var admin = new NpgsqlConnection(AdminConnectionString()))
        {
            await admin.OpenAsync();
            if (!await admin.ExistsAsync("pg_catalog.pg_database", new { datname = Name }))
            {
                await admin.ExecuteSqlAsync($"CREATE DATABASE {Name}");
            }
        }

        var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await connection.ExecuteSqlAsync($"""
            CREATE TABLE IF NOT EXISTS {Authors} (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS {Inserts} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz NOT NULL DEFAULT now())
            """);
        if (await connection.CountAsync(Authors) == 0)
        {
            await connection.InsertManyAsync(Authors, Enumerable.Range(1, 1000).Select(i => new { name = $"author {i}", email = $"a{i}@example.com" }));
        }

        return connection;
    }

    public static async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString());
        await admin.OpenAsync();
        await admin.ExecuteSqlAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }
}

public sealed record Author(int Id, string Name, string? Email, DateTime CreatedAt);
