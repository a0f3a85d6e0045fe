using BenchmarkDotNet.Attributes;
using Npgsql;
using PgKit;

namespace PgKit.Benchmarks;

/// <summary>
/// Two queries reading the same record type with different column lists, alternating, against the same two queries of
/// one shape (baseline): PgKit keeps a compiled reader per result shape, so the ratio stays near 1. When it kept one
/// shape per type, every alternation recompiled (about 35x the baseline).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class MixedShapeBenchmarks
{
    private const string ByKey = "SELECT id, name, email, created_at FROM " + BenchDatabase.Authors + " WHERE id = $1";
    private const string ByKeyReordered = "SELECT created_at, email, name, id, 1 AS unused FROM " + BenchDatabase.Authors + " WHERE id = $1";
    private NpgsqlConnection connection = null!;
    private int id;

    [GlobalSetup]
    public async Task Setup() => connection = await BenchDatabase.OpenAsync();

    [GlobalCleanup]
    public async Task Cleanup() => await connection.DisposeAsync();

    [Benchmark(Baseline = true)]
    public async Task<Author?> SingleShape_TwoQueries()
    {
        await connection.FetchRowAsync<Author>(ByKey, [NextId()]);
        return await connection.FetchRowAsync<Author>(ByKey, [NextId()]);
    }

    [Benchmark]
    public async Task<Author?> MixedShapes_TwoQueries()
    {
        await connection.FetchRowAsync<Author>(ByKey, [NextId()]);
        return await connection.FetchRowAsync<Author>(ByKeyReordered, [NextId()]);
    }

    private int NextId() => id = (id % 1000) + 1;
}
