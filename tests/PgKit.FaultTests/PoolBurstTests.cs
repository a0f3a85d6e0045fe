using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using PgKit.AspNetCore;
using PgKit.FaultTests.Support;

namespace PgKit.FaultTests;

/// <summary>
/// A burst of more concurrent requests than the pool allows, with two app instances on one server whose
/// <c>max_connections</c> is low (30): with PgKit's default pool (<see cref="PostgresPoolDefaults.DefaultMaxPoolSize"/>), the
/// excess gets the pool's own 503 with <c>Retry-After</c> (never PostgreSQL's 53300 "too many clients"), a second
/// instance still starts, and a superuser (psql) still gets in. With Npgsql's default pool of 100 the first instance
/// took every connection the server had.
/// </summary>
[Collection(FaultSuite.Name)]
public sealed class PoolBurstTests(FaultSummary summary, ITestOutputHelper output)
{
    private const int MaxConnections = 30;
    private const int Burst = 45;
    private static readonly TimeSpan AcquireTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task BurstBeyondThePool_ExcessGetsThePools503_SecondInstanceStarts_SuperuserGetsIn()
    {
        await using var server = await FaultServer.EphemeralAsync(new() { ["max_connections"] = MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await using var first = new FaultApp(server.AppConnectionString, AcquireTimeout).Start();
        var client = first.CreateClient(AcquireTimeout + Margin);
        var coupon = JsonNode.Parse(await (await client.PostAsync("/v1/coupons", Json("""{"code":"BURST","init_count":1000}"""))).Content.ReadAsStringAsync())!;
        var redeem = $"/v1/coupons/{coupon["id"]}/redeem";

        // Every redeemer blocks on the coupon's row lock, held by the test, so each keeps its pooled connection.
        var tally = new Tally();
        Task<Outcome>[] burst;
        var superuserMs = -1.0;
        long appBackendsDuringBurst;
        Exception? secondStart = null;
        int secondStatus;
        await using (var holder = new NpgsqlConnection(server.AdminConnectionString))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM coupon WHERE id = $1 FOR UPDATE", holder, transaction) { Parameters = { new() { Value = Guid.Parse((string)coupon["id"]!) } } })
            {
                await lockRow.ExecuteNonQueryAsync();
            }

            burst = [.. Enumerable.Range(0, Burst).Select(_ => tally.SendAsync(client, HttpMethod.Post, redeem))];

            // The pool's size of requests wait for the lock; the rest wait for the pool and get 503 after AcquireTimeout.
            var excess = Burst - PostgresPoolDefaults.DefaultMaxPoolSize;
            var deadline = Stopwatch.GetTimestamp() + (long)((AcquireTimeout + Margin).TotalSeconds * Stopwatch.Frequency);
            while (burst.Count(t => t.IsCompleted) < excess && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(20);
            }

            appBackendsDuringBurst = await server.CountAppBackendsAsync();

            // psql, during the burst: a superuser connection gets in.
            var started = Stopwatch.GetTimestamp();
            try
            {
                await using var admin = new NpgsqlConnection(server.AdminConnectionString);
                await admin.OpenAsync();
                await using var select = new NpgsqlCommand("SELECT 1", admin);
                await select.ExecuteScalarAsync();
                superuserMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            catch (NpgsqlException ex)
            {
                output.WriteLine($"superuser refused: {ex.Message}");
            }

            // A second instance of the app starts (its migrations need a connection) and serves, during the burst.
            FaultApp? second = null;
            try
            {
                second = new FaultApp(server.AppConnectionString, AcquireTimeout).Start();
                secondStatus = (int)(await second.CreateClient(AcquireTimeout + Margin).GetAsync("/items")).StatusCode;
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                secondStart = ex;
                secondStatus = 0;
            }
            finally
            {
                if (second is not null)
                {
                    await second.DisposeAsync();
                }
            }

            await transaction.RollbackAsync();
        }

        var outcomes = await Task.WhenAll(burst);
        summary.Report(output, "pool-burst", $"{tally} max_connections={MaxConnections} pool_max={PostgresPoolDefaults.DefaultMaxPoolSize} " +
            $"app_backends_during_burst={appBackendsDuringBurst} superuser_connect_ms={superuserMs:0} second_instance={(secondStart is null ? secondStatus.ToString(System.Globalization.CultureInfo.InvariantCulture) : "failed: " + secondStart.GetBaseException().Message)}");

        Assert.Equal(0, tally.Count("503:53300"));
        Assert.Equal(Burst - PostgresPoolDefaults.DefaultMaxPoolSize, tally.Count("503:pool"));
        Assert.Equal(PostgresPoolDefaults.DefaultMaxPoolSize, tally.Count(200));
        Assert.Equal(Burst, tally.Count(200) + tally.Count(503));
        Assert.Equal(0, tally.ServiceUnavailableWithoutRetryAfter);
        Assert.All(outcomes, o => Assert.True(o.Elapsed < AcquireTimeout + Margin, $"a request took {o.Elapsed}"));
        Assert.InRange(appBackendsDuringBurst, 1, PostgresPoolDefaults.DefaultMaxPoolSize);
        Assert.True(superuserMs >= 0, "a superuser connection was refused during the burst");
        Assert.Null(secondStart);
        Assert.Equal(200, secondStatus);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
