using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using PgKit.FaultTests.Support;

namespace PgKit.FaultTests;

/// <summary>
/// Faults that hit requests one by one: the app's backends terminated mid-transaction, clients that go away
/// mid-request, and 500 clients racing for one coupon. The atomic endpoint under fault writes two rows with a pause
/// between (<see cref="FaultApp.PairPath"/>), so a partial commit would show as a key with one row.
/// </summary>
[Collection(FaultSuite.Name)]
public sealed class SessionFaultTests(FaultSummary summary, ITestOutputHelper output)
{
    private const int Requests = 300;
    private const int Concurrency = 12;
    private static readonly TimeSpan AcquireTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task BackendsTerminatedMidTransaction_NoPartialWrites_NoLeakedConnections()
    {
        await using var server = await FaultServer.EphemeralAsync();
        await using var app = new FaultApp(server.AppConnectionString, AcquireTimeout).Start();
        var client = app.CreateClient(AcquireTimeout + Margin);
        var tally = new Tally();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var terminated = 0L;

        using var done = new CancellationTokenSource();
        var terminator = Task.Run(async () =>
        {
            // Like an operator's pg_terminate_backend, aimed at the app's sessions that are inside a transaction.
            await using var admin = new NpgsqlConnection(server.AdminConnectionString);
            await admin.OpenAsync();
            await using var terminate = new NpgsqlCommand(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity " +
                "WHERE usename = 'app' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()", admin);
            while (!done.IsCancellationRequested)
            {
                terminated += (long)(await terminate.ExecuteScalarAsync())!;
                await Task.Delay(15);
            }
        });

        await ForEachAsync(Requests, async i =>
        {
            var key = $"term-{i}";
            if ((await tally.SendAsync(client, HttpMethod.Post, FaultApp.PairPath + key)).IsSuccess)
            {
                acknowledged.Add(key);
            }
        });
        await done.CancelAsync();
        await terminator;

        var (partial, missing, pairs) = await CheckPairsAsync(server, "term-", acknowledged);
        var leaked = await LeakCheckAsync(server, app);
        summary.Report(output, "terminate", $"{tally} terminated_backends={terminated} committed_pairs={pairs} partial_writes={partial} " +
            $"acknowledged_missing={missing} {leaked}");

        Assert.True(terminated > 0, "no backend was terminated mid-transaction");
        Assert.True(tally.Count(503) > 0, "no request met a terminated backend");
        Assert.Equal(0, partial);
        Assert.Equal(0, missing);
        Assert.Equal([], tally.Statuses.Where(s => s is not (201 or 503)).Order());
        Assert.Equal(0, tally.ServiceUnavailableWithoutRetryAfter);
    }

    [Fact]
    public async Task ClientsDisconnectMidRequest_NoHalfCommittedData_PoolStable()
    {
        await using var server = await FaultServer.EphemeralAsync();
        await using var app = new FaultApp(server.AppConnectionString, AcquireTimeout).Start();
        var client = app.CreateClient(AcquireTimeout + Margin);
        var tally = new Tally();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var random = new Random(20250611);
        var abortAfter = Enumerable.Range(0, Requests).Select(_ => random.Next(1, 120)).ToArray();

        await ForEachAsync(Requests, async i =>
        {
            var key = $"gone-{i}";
            using var goAway = new CancellationTokenSource(abortAfter[i]);
            if ((await tally.SendAsync(client, HttpMethod.Post, FaultApp.PairPath + key, cancellationToken: goAway.Token)).IsSuccess)
            {
                acknowledged.Add(key);
            }
        });

        var (partial, missing, pairs) = await CheckPairsAsync(server, "gone-", acknowledged);
        var leaked = await LeakCheckAsync(server, app);
        summary.Report(output, "disconnect", $"{tally} committed_pairs={pairs} partial_writes={partial} acknowledged_missing={missing} {leaked}");

        Assert.True(tally.Count("cancelled") > 0, "no client went away");
        Assert.Equal(0, partial);
        Assert.Equal(0, missing);
        Assert.Equal([], tally.Statuses.Where(s => s is not (201 or 503)).Order());
    }

    [Fact]
    public async Task CouponRace500Way_ExactlyTheLimitIsRedeemed()
    {
        const int Racers = 500;
        const int Limit = 100;
        await using var server = await FaultServer.EphemeralAsync();
        // The racers queue for the pool (20 connections); each redemption holds one for a millisecond or two.
        await using var app = new FaultApp(server.AppConnectionString, TimeSpan.FromSeconds(30)).Start();
        var client = app.CreateClient(TimeSpan.FromSeconds(60));
        var created = await client.PostAsync("/v1/coupons", new StringContent($$"""{"code":"RACE","init_count":{{Limit}}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;

        var tally = new Tally();
        using var start = new SemaphoreSlim(0);
        var racers = Enumerable.Range(0, Racers).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await tally.SendAsync(client, HttpMethod.Post, $"/v1/coupons/{id}/redeem");
        })).ToArray();
        var started = Stopwatch.GetTimestamp();
        start.Release(Racers);
        await Task.WhenAll(racers);
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var remaining = await server.ScalarAsync<int>("SELECT remaining_count FROM coupon WHERE id = $1", Guid.Parse(id));
        summary.Report(output, "coupon-race", $"{tally} limit={Limit} redeemed={tally.Count(200)} remaining={remaining} elapsed_ms={elapsedMs:0}");

        Assert.Equal(Limit, tally.Count(200));
        Assert.Equal(Racers - Limit, tally.Count(409));
        Assert.Equal(0, remaining);
    }

    private static async Task ForEachAsync(int count, Func<int, Task> body) =>
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) => await body(i));

    /// <summary>Counts keys with one row of two (a partial write), acknowledged keys without both rows, and complete pairs.</summary>
    private static async Task<(long Partial, int Missing, long Pairs)> CheckPairsAsync(FaultServer server, string prefix, IEnumerable<string> acknowledged)
    {
        var partial = await server.ScalarAsync<long>(
            "SELECT count(*) FROM (SELECT left(name, -2) FROM item WHERE name LIKE $1 GROUP BY 1 HAVING count(*) <> 2) AS broken", prefix + "%");
        var complete = (await server.ScalarAsync<string[]>(
            "SELECT coalesce(array_agg(key), '{}') FROM (SELECT left(name, -2) AS key FROM item WHERE name LIKE $1 GROUP BY 1 HAVING count(*) = 2) AS pairs", prefix + "%")).ToHashSet();
        return (partial, acknowledged.Count(key => !complete.Contains(key)), complete.Count);
    }

    /// <summary>
    /// Waits (at most 10 s) until no app backend is inside a transaction or running a statement, then takes the whole
    /// pool at once: a leaked connection would make that time out.
    /// </summary>
    private static async Task<string> LeakCheckAsync(FaultServer server, FaultApp app)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        long busy;
        while ((busy = await server.CountAppBackendsAsync("active", "idle in transaction", "idle in transaction (aborted)")) > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        var backends = await server.CountAppBackendsAsync();
        var pool = await app.TakeWholePoolAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, busy);
        Assert.InRange(backends, 0, pool);
        return $"busy_backends_after={busy} app_backends_after={backends} whole_pool_taken={pool}";
    }
}
