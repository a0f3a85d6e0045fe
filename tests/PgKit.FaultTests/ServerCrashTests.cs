using System.Collections.Concurrent;
using System.Diagnostics;
using PgKit.FaultTests.Support;

namespace PgKit.FaultTests;

/// <summary>
/// The server crashes and comes back: its postmaster killed with SIGKILL under write load, then started again on the
/// same folder and port; and an orderly outage of 10 s. The server is persistent with PostgreSQL's durable settings
/// (an ephemeral one runs with fsync off, and could lose acknowledged writes by design).
/// </summary>
[Collection(FaultSuite.Name)]
public sealed class ServerCrashTests(FaultSummary summary, ITestOutputHelper output)
{
    private const int Writers = 6;
    private static readonly TimeSpan AcquireTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task PostmasterKilledUnderWriteLoad_LosesNoAcknowledgedWrite_AndRequestsRecover()
    {
        await using var server = await FaultServer.PersistentAsync();
        await using var app = new FaultApp(server.AppConnectionString, AcquireTimeout).Start();
        var client = app.CreateClient(AcquireTimeout + Margin);
        var tally = new Tally();
        var acknowledged = new ConcurrentBag<string>();
        var firstSuccessAfterKill = long.MaxValue;
        var killedAt = long.MaxValue;
        using var stop = new CancellationTokenSource();
        var next = 0;

        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var name = $"crash-{Interlocked.Increment(ref next)}";
                var outcome = await tally.SendAsync(client, HttpMethod.Post, "/items", $$"""{"name":"{{name}}"}""");
                if (outcome.IsSuccess)
                {
                    acknowledged.Add(name);
                    if (outcome.Started > Volatile.Read(ref killedAt))
                    {
                        InterlockedMin(ref firstSuccessAfterKill, outcome.Started + (long)(outcome.Elapsed.TotalSeconds * Stopwatch.Frequency));
                    }
                }
                else
                {
                    await Task.Delay(20); // a failing client backs off a little, as Retry-After asks
                }
            }
        })).ToArray();

        double restartMs;
        int acknowledgedBeforeKill;
        long recovered;
        try
        {
            await WaitUntilAsync(() => acknowledged.Count >= 50, TimeSpan.FromSeconds(20), "writes succeed before the crash");
            acknowledgedBeforeKill = acknowledged.Count;
            Volatile.Write(ref killedAt, Stopwatch.GetTimestamp());
            await server.KillPostmasterAsync();
            var restartStarted = Stopwatch.GetTimestamp();
            await server.RestartAsync();
            restartMs = Stopwatch.GetElapsedTime(restartStarted).TotalMilliseconds;

            await WaitUntilAsync(() => Volatile.Read(ref firstSuccessAfterKill) != long.MaxValue, TimeSpan.FromSeconds(20), "writes succeed after the restart");
            recovered = Volatile.Read(ref firstSuccessAfterKill);
            await WaitUntilAsync(() => Stopwatch.GetElapsedTime(recovered) > TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), "a second of load after recovery");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        var stored = (await server.ScalarAsync<string[]>("SELECT coalesce(array_agg(name), '{}') FROM item WHERE name LIKE 'crash-%'")).ToHashSet();
        var lost = acknowledged.Where(name => !stored.Contains(name)).ToArray();
        var recoveryMs = (recovered - killedAt) * 1000.0 / Stopwatch.Frequency;
        summary.Report(output, "kill-9", $"{tally} acknowledged={acknowledged.Count} (before kill {acknowledgedBeforeKill}) stored={stored.Count} lost_writes={lost.Length} " +
            $"restart_ms={restartMs:0} recovery_ms={recoveryMs:0} (kill to first acknowledged write)");

        Assert.Empty(lost);
        Assert.Equal([], tally.Statuses.Where(s => s is not (201 or 503)).Order());
        Assert.Equal(0, tally.ServiceUnavailableWithoutRetryAfter);
        Assert.Equal(0, tally.Count("timeout"));
    }

    [Fact]
    public async Task ServerDownFor10Seconds_EveryRequestGets503WithRetryAfterInTime_HealthFollows_AppRecovers()
    {
        await using var server = await FaultServer.PersistentAsync();
        await using var app = new FaultApp(server.AppConnectionString, AcquireTimeout).Start();
        var client = app.CreateClient(AcquireTimeout + Margin);
        Assert.Equal(201, (await new Tally().SendAsync(client, HttpMethod.Post, "/items", """{"name":"before-outage"}""")).Status);
        var health = new Tally();
        Assert.Equal(200, (await health.SendAsync(client, HttpMethod.Get, "/healthz")).Status);

        await server.StopAsync();
        var down = Stopwatch.GetTimestamp();
        var during = new Tally();
        var healthDuring = new Tally();
        using (var outage = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            var next = 0;
            var load = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
            {
                while (!outage.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref next);
                    _ = n % 2 == 0
                        ? await during.SendAsync(client, HttpMethod.Get, "/items?limit=5")
                        : await during.SendAsync(client, HttpMethod.Post, "/items", $$"""{"name":"outage-{{n}}"}""");
                    await Task.Delay(100);
                }
            })).Append(Task.Run(async () =>
            {
                while (!outage.IsCancellationRequested)
                {
                    await healthDuring.SendAsync(client, HttpMethod.Get, "/healthz");
                    await Task.Delay(500);
                }
            }));
            await Task.WhenAll(load);
        }

        var restartStarted = Stopwatch.GetTimestamp();
        await server.RestartAsync();
        var restartMs = Stopwatch.GetElapsedTime(restartStarted).TotalMilliseconds;
        var after = new Tally();
        var firstHealthy = -1.0;
        var firstWrite = -1.0;
        for (var attempt = 0; attempt < 100 && (firstHealthy < 0 || firstWrite < 0); attempt++)
        {
            if (firstHealthy < 0 && (await after.SendAsync(client, HttpMethod.Get, "/healthz")).Status == 200)
            {
                firstHealthy = Stopwatch.GetElapsedTime(restartStarted).TotalMilliseconds;
            }

            if (firstWrite < 0 && (await after.SendAsync(client, HttpMethod.Post, "/items", $$"""{"name":"after-{{attempt}}"}""")).IsSuccess)
            {
                firstWrite = Stopwatch.GetElapsedTime(restartStarted).TotalMilliseconds;
            }

            await Task.Delay(50);
        }

        summary.Report(output, "down-10s", $"during: {during} | healthz during: {healthDuring} | after restart: {after} " +
            $"outage_ms={(restartStarted - down) * 1000.0 / Stopwatch.Frequency:0} restart_ms={restartMs:0} healthy_after_ms={firstHealthy:0} first_write_after_ms={firstWrite:0}");

        // Down: every request answered, 503 with Retry-After, within the acquire timeout (plus a margin); never a 500 or a hang.
        Assert.True(during.Requests > 20, $"only {during.Requests} requests during the outage");
        Assert.Equal(during.Requests, during.Count(503));
        Assert.Equal(0, during.ServiceUnavailableWithoutRetryAfter);
        Assert.True(during.Slowest < AcquireTimeout + TimeSpan.FromSeconds(1), $"a request took {during.Slowest} while the server was down");
        Assert.Equal(healthDuring.Requests, healthDuring.Count(503));
        Assert.Equal(0, healthDuring.ServiceUnavailableWithoutRetryAfter);

        // Back: the same app instance, healthy and writing again.
        Assert.True(firstHealthy >= 0, "/healthz never became healthy after the restart");
        Assert.True(firstWrite >= 0, "no write succeeded after the restart");
        Assert.Equal([], after.Statuses.Where(s => s is not (200 or 201 or 503)).Order());
        Assert.Equal(1L, await server.ScalarAsync<long>("SELECT count(*) FROM item WHERE name = 'before-outage'"));
        Assert.Equal(0L, await server.ScalarAsync<long>("SELECT count(*) FROM item WHERE name LIKE 'outage-%'"));
    }

    private static void InterlockedMin(ref long target, long value)
    {
        long seen;
        while (value < (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
