using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;
using PgKit.Embedded;

namespace PgKit.AspNetCore.Tests;

public sealed class FailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan AcquireTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task PrimaryDies_WritesAnswer503UntilAStandbyIsPromoted_ReadsKeepWorking_AndNoAcknowledgedWriteIsLost()
    {
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 2, SynchronousReplication = true });
        var connectionString = await cluster.EnsureAppDatabaseAsync("shop");
        await using (var connection = new NpgsqlConnection(cluster.Primary.GetAppConnectionString("shop")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)", connection);
            await command.ExecuteNonQueryAsync();
        }

        await cluster.WaitForReplayAsync();
        await using var app = await TestApp.StartAsync(connectionString, ReadReplicaTests.MapEndpoints, postgres: pg => pg.Configure(o => o.AcquireTimeout = AcquireTimeout));
        var client = app.GetTestClient();
        client.Timeout = AcquireTimeout + TimeSpan.FromSeconds(10); // a hang fails the test rather than stalling it

        var acknowledged = new ConcurrentBag<int>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var readFailures = 0;
        var reads = 0;
        var slowest503 = TimeSpan.Zero;
        var missingRetryAfter = 0;
        var nextId = 0;
        long firstWriteAfterPromotion = 0;
        long promotedAt = 0;
        using var stop = new CancellationTokenSource();

        async Task WriteLoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var id = Interlocked.Increment(ref nextId);
                var started = Stopwatch.GetTimestamp();
                var response = await client.PostAsync($"/notes/{id}", null);
                var elapsed = Stopwatch.GetElapsedTime(started);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    acknowledged.Add(id);
                    if (Interlocked.Read(ref promotedAt) != 0)
                    {
                        Interlocked.CompareExchange(ref firstWriteAfterPromotion, Stopwatch.GetTimestamp(), 0);
                    }
                }
                else
                {
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        lock (statuses)
                        {
                            slowest503 = elapsed > slowest503 ? elapsed : slowest503;
                        }

                        if (response.Headers.RetryAfter is null)
                        {
                            Interlocked.Increment(ref missingRetryAfter);
                        }
                    }

                    await Task.Delay(20);
                }
            }
        }

        async Task ReadLoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.GetAsync("/notes/1");
                Interlocked.Increment(ref reads);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref readFailures);
                }

                await Task.Delay(10);
            }
        }

        var loops = Enumerable.Range(0, 6).Select(_ => Task.Run(WriteLoopAsync)).Append(Task.Run(ReadLoopAsync)).ToList();
        while (acknowledged.Count < 200)
        {
            await Task.Delay(20);
        }

        await cluster.Primary.StopAsync(immediate: true);
        var stoppedAt = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the outage: writes answer 503, reads go on
        var readsDuringOutage = reads;
        var readFailuresDuringOutage = readFailures;
        // With ANY 1 (pg1, pg2) an acknowledged write is on one standby's disk, not always pg1's: promote the most advanced.
        await cluster.PromoteMostAdvancedStandbyAsync();
        Interlocked.Exchange(ref promotedAt, Stopwatch.GetTimestamp());
        var waited = Stopwatch.StartNew();
        while (Interlocked.Read(ref firstWriteAfterPromotion) == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        var afterPromotion = acknowledged.Count;
        while (acknowledged.Count < afterPromotion + 100 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await Task.WhenAll(loops);

        var present = new HashSet<int>();
        await using (var connection = new NpgsqlConnection(cluster.Primary.GetAppConnectionString("shop")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT id FROM notes", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                present.Add(reader.GetInt32(0));
            }
        }

        var lost = acknowledged.Count(id => !present.Contains(id));
        var inDoubt = present.Count(id => !acknowledged.Contains(id));
        var recovery = firstWriteAfterPromotion == 0 ? (TimeSpan?)null : Stopwatch.GetElapsedTime(promotedAt, firstWriteAfterPromotion);
        output.WriteLine($"writes: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}: {s.Value}"))}; acknowledged {acknowledged.Count}, lost {lost}, committed but not acknowledged (answered with an error) {inDoubt}");
        output.WriteLine($"outage {Stopwatch.GetElapsedTime(stoppedAt, promotedAt).TotalMilliseconds:0} ms; slowest 503 {slowest503.TotalMilliseconds:0} ms (acquire timeout {AcquireTimeout.TotalMilliseconds} ms); first write after promotion {recovery?.TotalMilliseconds:0} ms; standby reads {reads}, failed {readFailures} ({readsDuringOutage} during the outage, {readFailuresDuringOutage} failed)");

        Assert.Equal(0, lost);
        Assert.NotNull(recovery);
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0, "no write was refused while the primary was down");
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable], statuses.Keys.Order());
        Assert.Equal(0, missingRetryAfter);
        Assert.True(slowest503 < AcquireTimeout + TimeSpan.FromSeconds(1), $"a 503 took {slowest503}");
        Assert.True(readsDuringOutage > 10);
        Assert.Equal(0, readFailures);
    }
}
