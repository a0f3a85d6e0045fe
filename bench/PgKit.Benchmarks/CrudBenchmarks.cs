using BenchmarkDotNet.Attributes;
using Dapper;
using Npgsql;
using PgKit;

namespace PgKit.Benchmarks;

/// <summary>Single-row and small-list operations: PgKit helpers vs hand-written Npgsql (baseline) vs Dapper with hand-written SQL.</summary>
[MemoryDiagnoser]
[ShortRunJob]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CrudBenchmarks
{
    private const string SelectColumns = "SELECT id, name, email, created_at FROM " + BenchDatabase.Authors;
    private const string DapperColumns = "SELECT id AS Id, name AS Name, email AS Email, created_at AS CreatedAt FROM " + BenchDatabase.Authors;
    private NpgsqlConnection connection = null!;
    private int id;

    [GlobalSetup]
    public async Task Setup() => connection = await BenchDatabase.OpenAsync();

    [GlobalCleanup]
    public async Task Cleanup() => await connection.DisposeAsync();

    private int NextId() => id = (id % 1000) + 1;

    [Benchmark(Baseline = true), BenchmarkCategory("GetByKey")]
    public async Task<Author?> GetByKey_Npgsql()
    {
        await using var command = new NpgsqlCommand(SelectColumns + " WHERE id = $1", connection) { Parameters = { new() { Value = NextId() } } };
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Read(reader) : null;
    }

    [Benchmark, BenchmarkCategory("GetByKey")]
    public Task<Author?> GetByKey_PgKit() => connection.GetAsync<Author>(BenchDatabase.Authors, new { id = NextId() });

    [Benchmark, BenchmarkCategory("GetByKey")]
    public Task<Author?> GetByKey_Dapper()
        => SqlMapper.QuerySingleOrDefaultAsync<Author>(connection, DapperColumns + " WHERE id = @id", new { id = NextId() });

    [Benchmark(Baseline = true), BenchmarkCategory("InsertOne")]
    public async Task<Author> InsertOne_Npgsql()
    {
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {BenchDatabase.Inserts} (name, email) VALUES ($1, $2) RETURNING id::int, name, email, created_at", connection)
        {
            Parameters = { new() { Value = "new author" }, new() { Value = "new@example.com" } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return Read(reader);
    }

    [Benchmark, BenchmarkCategory("InsertOne")]
    public Task<Author> InsertOne_PgKit()
        => connection.InsertAsync<Author>(BenchDatabase.Inserts, new { Name = "new author", Email = "new@example.com" });

    [Benchmark, BenchmarkCategory("InsertOne")]
    public Task<Author> InsertOne_Dapper()
        => SqlMapper.QuerySingleAsync<Author>(
            connection,
            $"INSERT INTO {BenchDatabase.Inserts} (name, email) VALUES (@name, @email) RETURNING id::int AS Id, name AS Name, email AS Email, created_at AS CreatedAt",
            new { name = "new author", email = "new@example.com" });

    [Benchmark(Baseline = true), BenchmarkCategory("List100")]
    public async Task<List<Author>> List100_Npgsql()
    {
        await using var command = new NpgsqlCommand(SelectColumns + " ORDER BY id LIMIT 100", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Author>();
        while (await reader.ReadAsync())
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    [Benchmark, BenchmarkCategory("List100")]
    public Task<IReadOnlyList<Author>> List100_PgKit() => connection.SelectAsync<Author>(BenchDatabase.Authors, orderBy: "id", limit: 100);

    [Benchmark, BenchmarkCategory("List100")]
    public async Task<List<Author>> List100_Dapper()
        => (await SqlMapper.QueryAsync<Author>(connection, DapperColumns + " ORDER BY id LIMIT 100")).AsList();

    private static Author Read(NpgsqlDataReader reader)
        => new(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetDateTime(3));
}
