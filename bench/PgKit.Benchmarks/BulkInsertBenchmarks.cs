using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using PgKit;

namespace PgKit.Benchmarks;

/// <summary>
/// Inserting 10,000 rows: PgKit's InsertManyAsync (binary COPY, and the multi-row VALUES path for comparison) vs
/// hand-written binary COPY (baseline), Dapper's one-statement-per-row list execute, and 10,000 single PgKit inserts.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class BulkInsertBenchmarks
{
    private const int Count = 10_000;
    private NpgsqlConnection connection = null!;
    private NewAuthor[] rows = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        connection = await BenchDatabase.OpenAsync();
        rows = [.. Enumerable.Range(0, Count).Select(i => new NewAuthor($"author {i}", i % 10 == 0 ? null : $"a{i}@example.com"))];
    }

    [IterationSetup]
    public void Truncate() => connection.ExecuteSqlAsync($"TRUNCATE {BenchDatabase.Inserts}").GetAwaiter().GetResult();

    [GlobalCleanup]
    public async Task Cleanup() => await connection.DisposeAsync();

    [Benchmark(Baseline = true)]
    public async Task<ulong> Copy_Npgsql()
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {BenchDatabase.Inserts} (name, email) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(row.Name, NpgsqlDbType.Text);
            if (row.Email is null)
            {
                await importer.WriteNullAsync();
            }
            else
            {
                await importer.WriteAsync(row.Email, NpgsqlDbType.Text);
            }
        }

        return await importer.CompleteAsync();
    }

    [Benchmark]
    public Task<long> InsertMany_PgKit_Copy() => connection.InsertManyAsync(BenchDatabase.Inserts, rows);

    [Benchmark]
    public Task<long> InsertMany_PgKit_Values() => connection.InsertManyAsync(BenchDatabase.Inserts, rows, copyThreshold: int.MaxValue);

    [Benchmark]
    public Task<int> ExecuteList_Dapper()
        => SqlMapper.ExecuteAsync(connection, $"INSERT INTO {BenchDatabase.Inserts} (name, email) VALUES (@Name, @Email)", rows);

    [Benchmark]
    public async Task<long> SingleInserts_PgKit()
    {
        long count = 0;
        foreach (var row in rows)
        {
            count += await connection.ExecuteSqlAsync($"INSERT INTO {BenchDatabase.Inserts} (name, email) VALUES ($1, $2)", [row.Name, row.Email]);
        }

        return count;
    }

    public sealed record NewAuthor(string Name, string? Email);
}
