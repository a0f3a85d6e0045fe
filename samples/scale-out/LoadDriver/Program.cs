using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

// The load of samples/scale-out: workers send a mix of writes (POST /items) and reads (GET /items/{id}: the worker's
// own last write, echoing its PgKit-Wal-Position, or an older item of anyone) through haproxy until run.sh writes
// "stop" to the events file. Then it reads every acknowledged id back from the current primary (direct, not through
// PgBouncer or the app) and prints what was served, the errors by status and window, the writes lost and the recovery
// times measured against the events run.sh recorded ("<event> <unix ms>" lines).
var url = new Uri(Arg("--url"));
var eventsFile = Arg("--events");
var workers = int.Parse(Arg("--workers", "8"), CultureInfo.InvariantCulture);
var direct = Environment.GetEnvironmentVariable("PG_DIRECT") ?? throw new InvalidOperationException("PG_DIRECT (the direct connection string to the primary) is not set");
var runId = Guid.NewGuid().ToString("N")[..8];

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = workers, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
{
    BaseAddress = url,
    Timeout = TimeSpan.FromSeconds(30),
};

var results = new ConcurrentQueue<Result>();
var acknowledged = new ConcurrentDictionary<long, long>();   // id -> unix ms of the 201
var readable = new List<(long Id, long At)>();
var readableLock = new Lock();
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
var clock = Stopwatch.StartNew();
var origin = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
long Now() => origin + clock.ElapsedMilliseconds;

var watcher = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        if (File.Exists(eventsFile) && (await File.ReadAllLinesAsync(eventsFile)).Any(l => l.StartsWith("stop ", StringComparison.Ordinal)))
        {
            await stop.CancelAsync();
        }

        await Task.Delay(200);
    }
});

Console.WriteLine($"load: {workers} workers -> {url} (run {runId})");
await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w))));
await watcher;

await ReportAsync();
return 0;

async Task WorkAsync(int worker)
{
    var random = new Random(worker);
    var sequence = 0;
    (long Id, string? Position)? last = null;
    while (!stop.IsCancellationRequested)
    {
        var pick = random.NextDouble();
        if (pick < 0.3 || last is null)
        {
            var name = $"load-{runId}-{worker}-{sequence++}";
            var started = Now();
            try
            {
                using var response = await http.PostAsJsonAsync("items", new { name, description = "scale-out load", is_active = true });
                long? id = null;
                if (response.StatusCode == System.Net.HttpStatusCode.Created)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    id = body.RootElement.GetProperty("id").GetInt64();
                    var at = Now();
                    acknowledged[id.Value] = at;
                    lock (readableLock)
                    {
                        readable.Add((id.Value, at));
                    }

                    last = (id.Value, response.Headers.TryGetValues("PgKit-Wal-Position", out var values) ? values.FirstOrDefault() : null);
                }

                results.Enqueue(new Result("write", started, Now(), (int)response.StatusCode));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                results.Enqueue(new Result("write", started, Now(), 0));
            }
        }
        else if (pick < 0.6)
        {
            // Read-your-writes: the worker's own last item, right after writing it, with the position it was given.
            using var request = new HttpRequestMessage(HttpMethod.Get, $"items/{last.Value.Id}");
            if (last.Value.Position is { } position)
            {
                request.Headers.Add("PgKit-Wal-Position", position);
            }

            await SendReadAsync("read-own", request);
        }
        else
        {
            long id;
            lock (readableLock)
            {
                // An item acknowledged at least a second ago, without a position: a plain standby read.
                var old = readable.Count(r => r.At < Now() - 1000);
                id = old == 0 ? last.Value.Id : readable[random.Next(old)].Id;
            }

            await SendReadAsync("read", new HttpRequestMessage(HttpMethod.Get, $"items/{id}"));
        }

        await Task.Delay(random.Next(5, 15));
    }
}

async Task SendReadAsync(string kind, HttpRequestMessage request)
{
    var started = Now();
    try
    {
        using (request)
        using (var response = await http.SendAsync(request))
        {
            await response.Content.ReadAsByteArrayAsync();
            results.Enqueue(new Result(kind, started, Now(), (int)response.StatusCode));
        }
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
    {
        results.Enqueue(new Result(kind, started, Now(), 0));
    }
}

async Task ReportAsync()
{
    var events = File.ReadAllLines(eventsFile)
        .Select(l => l.Split(' ', 2))
        .Where(p => p.Length == 2 && long.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        .GroupBy(p => p[0])
        .ToDictionary(g => g.Key, g => long.Parse(g.First()[1], CultureInfo.InvariantCulture));
    var all = results.ToList();
    var kill = events.GetValueOrDefault("kill");
    var promoted = events.GetValueOrDefault("promoted");
    var firstWriteAfterKill = all.Where(r => r.Kind == "write" && r.Status == 201 && kill > 0 && r.Started >= kill).Select(r => r.Ended).DefaultIfEmpty(0).Min();
    var failoverEnd = firstWriteAfterKill > 0 ? firstWriteAfterKill : long.MaxValue;
    var deployStart = events.GetValueOrDefault("deploy-start");
    var deployEnd = events.GetValueOrDefault("deploy-end");

    string Window(Result r) =>
        kill > 0 && r.Ended >= kill && r.Started <= failoverEnd ? "failover"
        : deployStart > 0 && r.Ended >= deployStart && r.Started <= deployEnd ? "deploy"
        : "steady";

    static bool Ok(Result r) => r.Status is >= 200 and < 300;
    static string ByStatus(IEnumerable<Result> failed) =>
        failed.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no response" : g.Key.ToString(CultureInfo.InvariantCulture))}: {g.Count()}") is var parts && parts.Any()
            ? string.Join(", ", parts)
            : "none";

    // Every acknowledged id, and every row this run wrote, read back from the current primary.
    var found = new Dictionary<long, string>();
    await using (var connection = new NpgsqlConnection(direct))
    {
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, name FROM item WHERE id = ANY(@ids) OR name LIKE @prefix", connection);
        command.Parameters.AddWithValue("ids", acknowledged.Keys.ToArray());
        command.Parameters.AddWithValue("prefix", $"load-{runId}-%");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found[reader.GetInt64(0)] = reader.GetString(1);
        }

        await reader.CloseAsync();
        await using var server = new NpgsqlCommand("SELECT inet_server_port(), (SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'item')", connection);
        await using var info = await server.ExecuteReaderAsync();
        await info.ReadAsync();
        Console.WriteLine($"verified on the primary at port {info.GetInt32(0)}; item's columns now: {info.GetString(1)}");
    }

    var lost = acknowledged.Keys.Count(id => !found.ContainsKey(id));
    var unacknowledged = found.Keys.Count(id => !acknowledged.ContainsKey(id));
    var failed = all.Where(r => !Ok(r)).ToList();
    var durations = all.Where(Ok).Select(r => r.Ended - r.Started).Order().ToList();
    long Percentile(double p) => durations.Count == 0 ? 0 : durations[Math.Min(durations.Count - 1, (int)(p * durations.Count))];

    Console.WriteLine();
    Console.WriteLine("==== scale-out run ====");
    Console.WriteLine($"requests served:            {all.Count(Ok)} of {all.Count} ({all.Count(r => r.Kind == "write")} writes, {all.Count(r => r.Kind == "read-own")} own-write reads, {all.Count(r => r.Kind == "read")} other reads) in {clock.Elapsed.TotalSeconds:0} s");
    Console.WriteLine($"latency of served requests: p50 {Percentile(0.5)} ms, p99 {Percentile(0.99)} ms, max {(durations.Count == 0 ? 0 : durations[^1])} ms");
    Console.WriteLine($"errors by status:           {ByStatus(failed)}");
    Console.WriteLine($"  during the rolling deploy: {ByStatus(failed.Where(r => Window(r) == "deploy"))}");
    var failoverErrors = failed.Where(r => Window(r) == "failover").ToList();
    Console.WriteLine($"  during the failover:       {ByStatus(failoverErrors)}{(failoverErrors.Count == 0 ? "" : $" (answered {(failoverErrors.Min(r => r.Ended) - kill) / 1000.0:0.00} s to {(failoverErrors.Max(r => r.Ended) - kill) / 1000.0:0.00} s after the kill; {failoverErrors.Count(r => r.Kind == "write")} writes, {failoverErrors.Count(r => r.Kind != "write")} reads)")}");
    Console.WriteLine($"  elsewhere:                 {ByStatus(failed.Where(r => Window(r) == "steady"))}");
    Console.WriteLine($"  of them reads answered 404 (an own write not visible): {failed.Count(r => r.Kind == "read-own" && r.Status == 404)}, other reads 404: {failed.Count(r => r.Kind == "read" && r.Status == 404)}");
    Console.WriteLine($"acknowledged writes:        {acknowledged.Count}");
    Console.WriteLine($"acknowledged writes lost:   {lost} (every acknowledged id read back from the new primary)");
    Console.WriteLine($"committed, not acknowledged: {unacknowledged} (answered with an error or no response, yet committed: not counted as lost)");
    if (kill > 0)
    {
        Console.WriteLine(firstWriteAfterKill > 0
            ? $"primary kill -> first successful write: {firstWriteAfterKill - kill} ms"
            : "primary kill -> first successful write: none");
        if (promoted > 0 && firstWriteAfterKill > 0)
        {
            Console.WriteLine($"promotion    -> first successful write: {firstWriteAfterKill - promoted} ms (promotion finished {promoted - kill} ms after the kill; pgbouncer repointed {events.GetValueOrDefault("repointed") - promoted} ms after it)");
        }
    }

    if (deployStart > 0)
    {
        Console.WriteLine($"rolling deploy:             {(deployEnd - deployStart) / 1000.0:0.0} s, {all.Count(r => r.Started >= deployStart && r.Ended <= deployEnd)} requests inside it");
    }
}

string Arg(string name, string? fallback = null)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback ?? throw new ArgumentException($"missing {name}");
}

internal sealed record Result(string Kind, long Started, long Ended, int Status);
