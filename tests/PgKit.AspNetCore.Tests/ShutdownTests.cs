using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class ShutdownFixture : DatabaseFixture;

public sealed class ShutdownTests(ShutdownFixture db) : IClassFixture<ShutdownFixture>
{
    private Task<long> RunningAsync(string marker) => db.ScalarAsync<long>(
        $"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%{marker}%' AND pid <> pg_backend_pid()");

    [Fact]
    public async Task StuckQuery_ShutdownEndsWithinTheTimeout_AndTheQueryIsCancelled()
    {
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
            // No cancellation token on purpose: the query ignores the client and would run for a minute.
            a.MapGet("/stuck", async (Db plain) => await plain.RunAsync("SELECT pg_sleep(60) /* stuck-query */", CancellationToken.None)),
            pg => pg.Configure(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1)),
            logs: logs);
        var stuck = app.GetTestClient().GetAsync("/stuck");
        await DatabaseFixture.WaitUntilAsync(async () => await RunningAsync("stuck-query") == 1, TimeSpan.FromSeconds(10), "the query runs");

        var started = Stopwatch.GetTimestamp();
        await app.StopAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(6));
        Assert.Contains(logs.Entries, e => e.EventId.Id == 12);
        Assert.Equal(0, await RunningAsync("stuck-query"));
        using var response = await stuck;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // 57014, query cancelled
    }

    [Fact]
    public async Task InFlightRequest_FinishesDuringShutdown()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
            a.MapGet("/short", async (Db plain, CancellationToken ct) => await plain.RunAsync("SELECT pg_sleep(0.5) /* short-query */", ct)),
            pg => pg.Configure(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10)));
        var request = app.GetTestClient().GetAsync("/short");
        await DatabaseFixture.WaitUntilAsync(async () => await RunningAsync("short-query") == 1, TimeSpan.FromSeconds(10), "the query runs");

        var started = Stopwatch.GetTimestamp();
        await app.StopAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        using var response = await request;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"shutdown took {elapsed}");
        // Closing the pool ends its connections; the server's backends exit a moment later, not before the close returns.
        await DatabaseFixture.WaitUntilAsync(async () => await db.CountBackendsAsync() == 0, TimeSpan.FromSeconds(5), "the pool's backends are gone");
    }
}
