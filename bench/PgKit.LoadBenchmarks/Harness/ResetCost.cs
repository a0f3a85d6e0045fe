using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgKit.Embedded;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>
/// <c>reset-cost</c>: what PostgreSQL spends per pool checkout on a prepared primary-key read, with and without
/// auto-prepare and Npgsql's session reset (<c>No Reset On Close</c>), as the backend's own CPU time (from /proc), so
/// the figure holds on a busy machine better than a rate. One pooled connection; the modes alternate over the rounds.
/// </summary>
internal static class ResetCost
{
    private const string Sql = "SELECT id, first_name, last_name FROM author WHERE id = $1";

    public static async Task<int> RunAsync(int checkouts, int rounds)
    {
        await using var server = await PostgresServer.StartAsync(new PostgresServerOptions());
        var connectionString = await server.CreateDatabaseAsync("reset_cost");
        await using (var setup = NpgsqlDataSource.Create(connectionString))
        {
            await using var command = setup.CreateCommand(
                "CREATE TABLE author AS SELECT g::bigint AS id, 'first' || g AS first_name, 'last' || g AS last_name FROM generate_series(1, 1000) g; " +
                "ALTER TABLE author ADD PRIMARY KEY (id)");
            await command.ExecuteNonQueryAsync();
        }

        (string Name, string Settings)[] modes =
        [
            ("prepared, no reset      ", "Max Auto Prepare=100;Auto Prepare Min Usages=2;No Reset On Close=true"),
            ("prepared, reset (PgKit) ", "Max Auto Prepare=100;Auto Prepare Min Usages=2;No Reset On Close=false"),
            ("unprepared, no reset    ", "Max Auto Prepare=0;No Reset On Close=true"),
            ("unprepared, DISCARD ALL ", "Max Auto Prepare=0;No Reset On Close=false"),
        ];
        var results = modes.ToDictionary(m => m.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, settings) in modes)
            {
                await using var dataSource = NpgsqlDataSource.Create($"{connectionString};Maximum Pool Size=1;{settings}");
                int pid;
                await using (var connection = await dataSource.OpenConnectionAsync())
                {
                    pid = connection.ProcessID;
                }

                for (var i = 0; i < 1000; i++)
                {
                    await CheckoutAsync(dataSource, i);
                }

                var before = CpuTime.Self(pid);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < checkouts; i++)
                {
                    await CheckoutAsync(dataSource, i);
                }

                var microseconds = (CpuTime.Self(pid) - before) * 1e6 / checkouts;
                results[name].Add(microseconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}/{rounds}  {name} backend CPU {microseconds,6:0.0} µs per checkout   wall {clock.Elapsed.TotalMilliseconds * 1000 / checkouts,6:0.0} µs"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("median backend CPU per checkout (a pooled open, one prepared primary-key read, close):");
        foreach (var (name, _) in modes)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name} {Stats.Median(results[name]),6:0.0} µs"));
        }

        return 0;
    }

    private static async Task CheckoutAsync(NpgsqlDataSource dataSource, int i)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 1 + (i % 1000) });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
        }
    }
}
