using System.Globalization;
using System.Net;
using PgKit.AspNetCore.Benchmarks;

// PgKit (Db / Atomic) against hand-written Npgsql: same process, same Kestrel, same pool, same database.
// Each round runs every variant for a short slice, PgKit and its hand-written twin back to back (order alternating),
// so that load from other processes on a shared machine hits both alike; the ratio reported is the median of the
// per-round ratios, next to the pooled throughput and latency percentiles.
// `-- scale-out` runs the scale-out benchmark instead (ScaleOutBenchmark.cs).
if (args is ["scale-out"])
{
    await ScaleOutBenchmark.RunAsync();
    return;
}

const int Concurrency = 32;
const int Rounds = 10;
var warmUp = TimeSpan.FromSeconds(2);
var slice = TimeSpan.FromSeconds(2);

var pairs = new (string Name, HttpMethod Method, string PgKitPath, string ByHandPath)[]
{
    ("read one row by key", HttpMethod.Get, "/pgkit/items/{id}", "/raw/items/{id}"),
    ("insert in a transaction", HttpMethod.Post, "/pgkit/events", "/raw/events"),
};

await using var database = await BenchDatabase.CreateAsync(rows: 10_000);
var (app, baseAddress) = await BenchApp.StartAsync(database.ConnectionString);
await using (app)
{
    using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
    using var client = new HttpClient(handler) { BaseAddress = baseAddress, DefaultRequestVersion = HttpVersion.Version11 };
    var load = new LoadLoop(client, Concurrency);

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"PgKit.AspNetCore benchmark: {Environment.ProcessorCount} cores, {Concurrency} concurrent requests, {Rounds} rounds x {slice.TotalSeconds:0} s per variant, Kestrel at {baseAddress}"));
    foreach (var pair in pairs)
    {
        await load.RunAsync(pair.Method, pair.PgKitPath, warmUp);
        await load.RunAsync(pair.Method, pair.ByHandPath, warmUp);
    }

    var runs = pairs.ToDictionary(p => p.Name, _ => (PgKit: new List<RunResult>(), ByHand: new List<RunResult>()));
    for (var round = 0; round < Rounds; round++)
    {
        foreach (var pair in pairs)
        {
            var pgkitFirst = round % 2 == 0;
            var first = await load.RunAsync(pair.Method, pgkitFirst ? pair.PgKitPath : pair.ByHandPath, slice);
            var second = await load.RunAsync(pair.Method, pgkitFirst ? pair.ByHandPath : pair.PgKitPath, slice);
            runs[pair.Name].PgKit.Add(pgkitFirst ? first : second);
            runs[pair.Name].ByHand.Add(pgkitFirst ? second : first);
        }
    }

    Console.WriteLine();
    Console.WriteLine($"{"endpoint",-26}{"variant",-10}{"req/s",9}{"p50 ms",9}{"p99 ms",9}{"errors",8}");
    foreach (var pair in pairs)
    {
        var (pgkit, byHand) = runs[pair.Name];
        Print(pair.Name, "PgKit", pgkit);
        Print("", "by hand", byHand);
        var ratios = pgkit.Zip(byHand, static (a, b) => a.RequestsPerSecond / b.RequestsPerSecond).Order().ToArray();
        var pooled = Throughput(pgkit) / Throughput(byHand);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"",-26}PgKit / by hand: median of per-round ratios {Median(ratios):0.000} (range {ratios[0]:0.000}-{ratios[^1]:0.000}), pooled {pooled:0.000}; goal >= 0.95"));
    }
}

static double Throughput(List<RunResult> runs) => runs.Sum(r => r.Latencies.Length) / runs.Sum(r => r.Elapsed.TotalSeconds);

static double Median(double[] sorted) => Stats.Median(sorted);

static double Percentile(double[] sorted, double p) => Stats.Percentile(sorted, p);

static void Print(string endpoint, string variant, List<RunResult> runs)
{
    var latencies = runs.SelectMany(r => r.Latencies).Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{endpoint,-26}{variant,-10}{Throughput(runs),9:0}{Percentile(latencies, 0.50),9:0.00}{Percentile(latencies, 0.99),9:0.00}{runs.Sum(r => r.Errors),8}"));
}
