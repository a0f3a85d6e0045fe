using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgKit.AspNetCore.Hosting;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class ConnectionLifetimeFixture : DatabaseFixture;

public sealed class ConnectionLifetimeTests(ConnectionLifetimeFixture db) : IClassFixture<ConnectionLifetimeFixture>
{
    private string PoolOf(int size) => new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = size }.ConnectionString;

    [Fact]
    public async Task PoolOfOne_DbAndAtomicInOneRequest_DoNotDeadlock()
    {
        await using var app = await TestApp.StartAsync(PoolOf(1), app =>
            app.MapPost("/both", async (Db plain, Atomic atomic, CancellationToken ct) =>
            {
                var a = await plain.ValueAsync<int>("SELECT 1", ct);
                var b = await atomic.ValueAsync<int>("SELECT 2", ct);
                var c = await plain.ValueAsync<int>("SELECT 3", ct);
                return a + b + c;
            }),
            pg => pg.Configure(o => o.AcquireTimeout = TimeSpan.FromSeconds(2)));

        var started = Stopwatch.GetTimestamp();
        using var response = await app.GetTestClient().PostAsync("/both", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("6", await response.Content.ReadAsStringAsync());
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2), "the request waited for a second connection");
    }

    [Fact]
    public async Task Connection_IsOpenedOnFirstUseOnly()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapGet("/unused", (Db plain, Atomic atomic) => "no query"));

        using var response = await app.GetTestClient().GetAsync("/unused");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await db.CountBackendsAsync());
    }

    [Fact]
    public async Task ClientAbort_CancelsTheQueryOnTheServer_AndThePoolGetsItsIdleConnectionBack()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
        {
            app.MapGet("/pid", async (Db plain, CancellationToken ct) => await plain.ValueAsync<int>("SELECT pg_backend_pid()", ct));
            app.MapGet("/sleep", async (Db plain, CancellationToken ct) => await plain.RunAsync("SELECT pg_sleep(30) /* abort-me */", ct));
        });
        var client = app.GetTestClient();
        var pidBefore = await client.GetStringAsync("/pid");
        Assert.Equal(1, await db.CountBackendsAsync("idle"));

        using var abort = new CancellationTokenSource();
        var sleeping = client.GetAsync("/sleep", abort.Token);
        await DatabaseFixture.WaitUntilAsync(
            async () => await db.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%abort-me%' AND pid <> pg_backend_pid()") == 1,
            TimeSpan.FromSeconds(10), "the query runs");
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sleeping);

        await DatabaseFixture.WaitUntilAsync(async () => await db.CountBusyBackendsAsync() == 0, TimeSpan.FromSeconds(5), "the server cancelled the query");
        await DatabaseFixture.WaitUntilAsync(() => Task.FromResult(app.ActiveSessions() == 0), TimeSpan.FromSeconds(5), "the request returned its connection");
        Assert.Equal(1, await db.CountBackendsAsync("idle"));
        Assert.Equal(pidBefore, await client.GetStringAsync("/pid")); // the same, healthy connection was reused
    }

    [Fact]
    public async Task PoolExhaustion_Answers503WithRetryAfter_WithinTheAcquireTimeout()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(PoolOf(1), app =>
        {
            app.MapGet("/hold", async (Db plain, CancellationToken ct) =>
            {
                await plain.GetConnectionAsync(ct);
                holding.SetResult();
                await release.Task;
                return "released";
            });
            app.MapGet("/ping", async (Db plain, CancellationToken ct) => await plain.ValueAsync<int>("SELECT 1", ct));
        }, pg => pg.Configure(o => o.AcquireTimeout = TimeSpan.FromMilliseconds(300)));
        var client = app.GetTestClient();
        var hold = client.GetAsync("/hold");
        await holding.Task;

        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync("/ping");
        var elapsed = Stopwatch.GetElapsedTime(started);
        release.SetResult();
        using var held = await hold;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(503, json.RootElement.GetProperty("status").GetInt32());
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal("1", await client.GetStringAsync("/ping")); // the pool recovered
    }

    [Fact]
    public async Task Connection_GoesBackToThePoolWhenTheHandlerReturns_AndReopensIfTheResultNeedsIt()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapGet("/early", async (Db plain, CancellationToken ct) =>
            {
                await plain.ValueAsync<int>("SELECT 1", ct);
                return new ProbeResult(plain);
            }));

        Assert.Equal("held while writing: 0, query while writing: 2", await app.GetTestClient().GetStringAsync("/early"));
        Assert.Equal(0, app.ActiveSessions());
    }

    private sealed class ProbeResult(Db plain) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var held = httpContext.RequestServices.GetRequiredKeyedService<PostgresDatabase>(PostgresOptions.DefaultName).ActiveSessions;
            var again = await plain.ValueAsync<int>("SELECT 2", httpContext.RequestAborted);
            await httpContext.Response.WriteAsync($"held while writing: {held}, query while writing: {again}");
        }
    }

    [Fact]
    public async Task DataSource_IsReachableOutsideRequests_AndDbWorksInAHandMadeScope()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app => { });

        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        Assert.Same(dataSource, app.Services.GetRequiredKeyedService<NpgsqlDataSource>(PostgresOptions.DefaultName));
        await using (var command = dataSource.CreateCommand("SELECT 41 + 1"))
        {
            Assert.Equal(42, await command.ExecuteScalarAsync());
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var plain = scope.ServiceProvider.GetRequiredService<Db>();
            Assert.Equal(7, await plain.ValueAsync<int>("SELECT 7", CancellationToken.None));
            Assert.Equal(1, app.ActiveSessions());
        }

        Assert.Equal(0, app.ActiveSessions());
    }

    [Fact]
    public async Task A_scope_disposed_synchronously_rolls_back_its_open_transaction_and_returns_the_connection()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app => { });
        var table = "sync_dispose_" + Guid.NewGuid().ToString("N")[..8];
        await db.ExecuteAsync($"CREATE TABLE {table} (id int)");

        using (var scope = app.Services.CreateScope())
        {
            var atomic = scope.ServiceProvider.GetRequiredService<Atomic>();
            await atomic.RunAsync($"INSERT INTO {table} VALUES (1)", CancellationToken.None);
            Assert.Equal(1, app.ActiveSessions());
        }

        Assert.Equal(0, app.ActiveSessions());
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM {table}"));
        await DatabaseFixture.WaitUntilAsync(async () => await db.CountBusyBackendsAsync() == 0, TimeSpan.FromSeconds(5), "no backend is left in a transaction");
    }

    [Fact]
    public async Task A_scope_resolved_from_many_threads_at_once_has_one_session_per_database_and_returns_its_connection_when_disposed()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app => { });

        await using (var scope = app.Services.CreateAsyncScope())
        {
            // Db, Atomic and the keyed Db, resolved from many threads at once, all reach the one session of the default
            // database (a session itself serves one flow at a time, like a connection: it is used in turn below).
            var sessions = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(IPgSession () => (i % 3) switch
            {
                0 => scope.ServiceProvider.GetRequiredService<Db>(),
                1 => scope.ServiceProvider.GetRequiredKeyedService<Db>(PostgresOptions.DefaultName),
                _ => scope.ServiceProvider.GetRequiredService<Atomic>(),
            })));
            var connections = new List<NpgsqlConnection>();
            foreach (var session in sessions)
            {
                connections.Add(await session.GetConnectionAsync(CancellationToken.None));
            }

            Assert.Single(connections.Distinct());
            Assert.Equal(1, app.ActiveSessions());
        }

        Assert.Equal(0, app.ActiveSessions());
    }

    [Fact]
    public async Task A_failing_handler_returns_its_connection_before_the_error_response_is_written()
    {
        var heldWhenTheErrorStarted = -1;
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapGet("/fails", async (Db plain, HttpContext httpContext, CancellationToken ct) =>
            {
                await plain.ValueAsync<int>("SELECT 1", ct);
                var database = httpContext.RequestServices.GetRequiredKeyedService<PostgresDatabase>(PostgresOptions.DefaultName);
                httpContext.Response.OnStarting(() =>
                {
                    heldWhenTheErrorStarted = database.ActiveSessions;
                    return Task.CompletedTask;
                });
                throw new InvalidOperationException("handler failed after its query");
            }));

        using var response = await app.GetTestClient().GetAsync("/fails");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(0, heldWhenTheErrorStarted);
    }
}
