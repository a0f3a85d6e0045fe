using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgKit.Embedded;

namespace PgKit.AspNetCore.Benchmarks;

/// <summary>
/// What scale-out costs the app (`dotnet run -c Release --project bench/PgKit.AspNetCore.Benchmarks -- scale-out`):
/// the routing of a standby read against the same read on a single server, the write's extra read-your-writes query
/// (<c>pg_current_wal_insert_lsn()</c>) against the same write with it off, and how long a read that follows a write
/// waits for a standby that applies WAL late. The pairs run in interleaved rounds in one process; CPU per request is
/// this process's (app and load client alike, so a ratio understates the app's own difference a little).
/// </summary>
internal static class ScaleOutBenchmark
{
    private const int Concurrency = 16;
    private const int Rounds = 8;
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ApplyDelay = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PgKit scale-out benchmark: {Environment.ProcessorCount} cores, {Concurrency} concurrent requests, {Rounds} interleaved rounds x {Slice.TotalSeconds:0} s per variant"));

        await using var prompt = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 1 });
        var routed = await PrepareAsync(prompt);
        var single = prompt.Primary.GetAppConnectionString("bench");

        await using var routedApp = await StartAsync(routed, readYourWrites: true);
        await using var singleApp = await StartAsync(single, readYourWrites: true);
        await using var noTokensApp = await StartAsync(routed, readYourWrites: false);

        Console.WriteLine();
        Console.WriteLine($"{"pair",-44}{"variant",-22}{"req/s",9}{"CPU µs/req",12}{"p50 ms",9}{"p99 ms",9}{"errors",8}");
        await ComparePairAsync("read by key, [ReadFromStandby]", HttpMethod.Get, ("standby (routed)", routedApp), ("single server", singleApp), goal: "CPU ratio <= 1.05");
        await ComparePairAsync("insert in Atomic (commit)", HttpMethod.Post, ("read-your-writes on", routedApp), ("read-your-writes off", noTokensApp), goal: "none: the cost of one pg_current_wal_insert_lsn()");

        await using var lagging = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 1, ApplyDelays = { ApplyDelay } });
        await using var laggingApp = await StartAsync(await PrepareAsync(lagging), readYourWrites: true);
        await MeasureWaitAsync(laggingApp);
    }

    private static async Task<string> PrepareAsync(PostgresCluster cluster)
    {
        var connectionString = await cluster.EnsureAppDatabaseAsync("bench");
        await using (var connection = new NpgsqlConnection(cluster.Primary.GetAppConnectionString("bench")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "CREATE TABLE items (id int PRIMARY KEY, title text NOT NULL); " +
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10000) g; " +
                "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item int NOT NULL)", connection);
            await command.ExecuteNonQueryAsync();
        }

        await cluster.WaitForReplayAsync();
        return connectionString;
    }

    private static async Task<App> StartAsync(string connectionString, bool readYourWrites)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Configuration["ConnectionStrings:Postgres"] = connectionString;
        builder.Services.AddPostgres(builder.Configuration).Configure(o => o.ReadYourWrites = readYourWrites);
        var app = builder.Build();

        // Answers where it read ("standby"/"primary") so the wait measurement can count where reads went.
        app.MapGet("/items/{id:int}", async (int id, Db db, CancellationToken ct) =>
            await db.FetchValueAsync<string>("SELECT title || CASE WHEN pg_is_in_recovery() THEN ',standby' ELSE ',primary' END FROM items WHERE id = $1", [id], ct))
            .ReadFromStandby();
        app.MapGet("/events/{id:long}", async (long id, Db db, CancellationToken ct) =>
            await db.FetchValueAsync<string>("SELECT (count(*) > 0)::text || CASE WHEN pg_is_in_recovery() THEN ',standby' ELSE ',primary' END FROM events WHERE id = $1", [id], ct))
            .ReadFromStandby();
        app.MapPost("/items/{id:int}", async (int id, Atomic atomic, CancellationToken ct) =>
        {
            var eventId = await atomic.FetchValueAsync<long>("INSERT INTO events (item) VALUES ($1) RETURNING id", [id], ct);
            return Results.Created($"/events/{eventId}", eventId);
        });

        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        return new App(app, new HttpClient(handler) { BaseAddress = address, DefaultRequestVersion = HttpVersion.Version11 });
    }

    private static async Task ComparePairAsync(string pair, HttpMethod method, (string Name, App App) a, (string Name, App App) b, string goal)
    {
        var loops = (A: new LoadLoop(a.App.Client, Concurrency), B: new LoadLoop(b.App.Client, Concurrency));
        await loops.A.RunAsync(method, "/items/{id}", Slice);
        await loops.B.RunAsync(method, "/items/{id}", Slice);

        var results = (A: new List<(RunResult Run, double CpuMicroseconds)>(), B: new List<(RunResult Run, double CpuMicroseconds)>());
        for (var round = 0; round < Rounds; round++)
        {
            var aFirst = round % 2 == 0;
            foreach (var isA in aFirst ? new[] { true, false } : [false, true])
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var run = await (isA ? loops.A : loops.B).RunAsync(method, "/items/{id}", Slice);
                var perRequest = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Math.Max(1, run.Latencies.Length);
                (isA ? results.A : results.B).Add((run, perRequest));
            }
        }

        Print(pair, a.Name, results.A);
        Print("", b.Name, results.B);
        var cpuRatios = results.A.Zip(results.B, static (x, y) => x.CpuMicroseconds / y.CpuMicroseconds).Order().ToArray();
        var throughputRatios = results.A.Zip(results.B, static (x, y) => x.Run.RequestsPerSecond / y.Run.RequestsPerSecond).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"",-44}{a.Name} / {b.Name}: CPU per request {Stats.Median(cpuRatios):0.000} (range {cpuRatios[0]:0.000}-{cpuRatios[^1]:0.000}), req/s {Stats.Median(throughputRatios):0.000} (range {throughputRatios[0]:0.000}-{throughputRatios[^1]:0.000}); goal: {goal}"));
    }

    private static async Task MeasureWaitAsync(App app)
    {
        // One client: write, then read the written row at once carrying the write's position; next to it, a read of an
        // old row with no position. The read after a write waits until the standby (applying WAL 100 ms late) has
        // replayed the write, or goes to the primary after ReadYourWritesWait (1 s).
        const int Tries = 200;
        var afterWrite = new List<double>(Tries);
        var plain = new List<double>(Tries);
        var (seen, fromStandby) = (0, 0);
        var client = app.Client;
        for (var i = 0; i < Tries; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var old = await client.GetStringAsync(new Uri($"/items/{1 + i}", UriKind.Relative));
            plain.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _ = old;

            using var write = await client.PostAsync(new Uri($"/items/{1 + i}", UriKind.Relative), null);
            var eventId = await write.Content.ReadAsStringAsync();
            using var read = new HttpRequestMessage(HttpMethod.Get, $"/events/{eventId}");
            read.Headers.Add("PgKit-Wal-Position", write.Headers.GetValues("PgKit-Wal-Position"));
            started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(read);
            var answer = await response.Content.ReadAsStringAsync();
            afterWrite.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            seen += answer.StartsWith("true,", StringComparison.Ordinal) ? 1 : 0;
            fromStandby += answer.EndsWith(",standby", StringComparison.Ordinal) ? 1 : 0;
        }

        var (waited, baseline) = (afterWrite.Order().ToArray(), plain.Order().ToArray());
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"read-your-writes wait, standby applying WAL {ApplyDelay.TotalMilliseconds:0} ms late, {Tries} write-then-read pairs from one client:"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  read after a write: p50 {Stats.Percentile(waited, 0.50):0.0} ms, p99 {Stats.Percentile(waited, 0.99):0.0} ms; saw the write {seen}/{Tries}, served by the standby {fromStandby}/{Tries}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  read with no prior write: p50 {Stats.Percentile(baseline, 0.50):0.0} ms, p99 {Stats.Percentile(baseline, 0.99):0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  extra latency of read-your-writes: p50 {Stats.Percentile(waited, 0.50) - Stats.Percentile(baseline, 0.50):0.0} ms, p99 {Stats.Percentile(waited, 0.99) - Stats.Percentile(baseline, 0.99):0.0} ms"));
    }

    private static void Print(string pair, string variant, List<(RunResult Run, double CpuMicroseconds)> runs)
    {
        var latencies = runs.SelectMany(r => r.Run.Latencies).Order().ToArray();
        var throughput = runs.Sum(r => r.Run.Latencies.Length) / runs.Sum(r => r.Run.Elapsed.TotalSeconds);
        var cpu = Stats.Median([.. runs.Select(r => r.CpuMicroseconds).Order()]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{pair,-44}{variant,-22}{throughput,9:0}{cpu,12:0}{Stats.Percentile(latencies, 0.50),9:0.00}{Stats.Percentile(latencies, 0.99),9:0.00}{runs.Sum(r => r.Run.Errors),8}"));
    }

    private sealed record App(WebApplication Web, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Web.DisposeAsync();
        }
    }
}
