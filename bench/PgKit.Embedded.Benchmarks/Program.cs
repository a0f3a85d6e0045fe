using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgKit.Embedded;

// Time from StartAsync to the first successful query: a fresh initdb (the baseline) against a copy of the
// cached pristine cluster, interleaved run by run so machine drift hits both alike. Medians are printed with
// their ratio. Usage: dotnet run -c Release --project bench/PgKit.Embedded.Benchmarks [-- RUNS]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
var cache = Path.Combine(Path.GetTempPath(), "pgkit-bench-cache-" + Guid.NewGuid().ToString("N")[..8]);
try
{
    // Fill the cache once, outside the measurements.
    await (await PostgresServer.StartAsync(new PostgresServerOptions { CacheDirectory = cache })).DisposeAsync();

    var fresh = new List<double>();
    var cached = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        fresh.Add(await TimeToFirstQueryAsync(new PostgresServerOptions { UseClusterCache = false }));
        cached.Add(await TimeToFirstQueryAsync(new PostgresServerOptions { CacheDirectory = cache }));
    }

    var freshMedian = Median(fresh);
    var cachedMedian = Median(cached);
    Console.WriteLine($"Embedded server start to first query, {runs} runs each, {Environment.ProcessorCount} cores");
    Console.WriteLine();
    Console.WriteLine("| start | median ms | min ms | max ms | ratio to fresh initdb |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    Console.WriteLine(Row("fresh initdb (baseline)", fresh, 1.0));
    Console.WriteLine(Row("cached pristine copy", cached, cachedMedian / freshMedian));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cached start is {freshMedian / cachedMedian:0.0}x faster (goal: >= 3x, and under 1000 ms median)"));
}
finally
{
    if (Directory.Exists(cache))
    {
        Directory.Delete(cache, recursive: true);
    }
}

static async Task<double> TimeToFirstQueryAsync(PostgresServerOptions options)
{
    var clock = Stopwatch.StartNew();
    await using var server = await PostgresServer.StartAsync(options);
    await using var connection = new NpgsqlConnection(server.ConnectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SELECT 1", connection);
    await command.ExecuteScalarAsync();
    var elapsed = clock.Elapsed.TotalMilliseconds;
    NpgsqlConnection.ClearPool(connection);
    return elapsed;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static string Row(string name, List<double> values, double ratio) =>
    string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(values):0} | {values.Min():0} | {values.Max():0} | {ratio:0.00} |");
