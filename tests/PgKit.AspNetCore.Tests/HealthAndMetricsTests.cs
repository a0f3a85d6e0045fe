using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class HealthAndMetricsFixture : DatabaseFixture
{
    protected override string Schema => "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);";
}

public sealed class HealthAndMetricsTests(HealthAndMetricsFixture db) : IClassFixture<HealthAndMetricsFixture>
{
    private static void MapHealth(WebApplication app)
    {
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
    }

    [Fact]
    public async Task ReadinessMakesARoundTripToEachDatabase_LivenessDoesNot()
    {
        await using (var healthy = await TestApp.StartAsync(db.ConnectionString, MapHealth,
            configure: builder => builder.Services.AddHealthChecks().AddPostgres()))
        {
            using var ready = await healthy.GetTestClient().GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        }

        await using var broken = await TestApp.StartAsync(db.ConnectionString, MapHealth,
            pg => pg.Services.AddPostgres("reporting", o => o.ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2"),
            configure: builder => builder.Services.AddHealthChecks().AddPostgres(timeout: TimeSpan.FromSeconds(2)));
        var client = broken.GetTestClient();
        using var notReady = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("Unhealthy", await notReady.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Readiness_AnswersWithinTheDefaultTimeout_WhileThePoolIsExhausted_ThenHealthyAgain()
    {
        const int maxPoolSize = 2;
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = maxPoolSize }.ConnectionString;
        await using var app = await TestApp.StartAsync(connectionString, MapHealth,
            configure: builder => builder.Services.AddHealthChecks().AddPostgres());
        var client = app.GetTestClient();
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        var held = new List<NpgsqlConnection>();
        for (var i = 0; i < maxPoolSize; i++)
        {
            held.Add(await dataSource.OpenConnectionAsync());
        }

        HttpResponseMessage exhausted;
        var started = Stopwatch.GetTimestamp();
        try
        {
            exhausted = await client.GetAsync("/health/ready");
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }

        // The default health-check timeout is 1 s: well within a probe's timeout, and well under the 5 s AcquireTimeout.
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"/health/ready took {elapsed.TotalMilliseconds:0} ms with the pool exhausted");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, exhausted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Readiness_AnswersWithinItsTimeout_WhenTheServerNeverAnswers()
    {
        // A listener that accepts connections and never says a word: the check's own deadline must end the wait,
        // whatever Npgsql's connect and cancellation timeouts are.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var accepted = new List<System.Net.Sockets.Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptSocketAsync());
                }
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
            }
        });

        await using var app = await TestApp.StartAsync(
            $"Host=127.0.0.1;Port={port};Username=nobody;Database=none;Timeout=30;Cancellation Timeout=10000", MapHealth,
            configure: builder => builder.Services.AddHealthChecks().AddPostgres());
        var started = Stopwatch.GetTimestamp();
        using var response = await app.GetTestClient().GetAsync("/health/ready");
        var elapsed = Stopwatch.GetElapsedTime(started);
        silent.Stop();
        await accepting;
        accepted.ForEach(socket => socket.Dispose());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"/health/ready took {elapsed.TotalMilliseconds:0} ms against a silent server");
    }

    [Fact]
    public async Task Meter_CountsAcquisitionsCommitsRollbacksAndRecordsTimes()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
        {
            app.MapPost("/notes/{status:int}", async (int status, Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO notes (body) VALUES ('x')", ct);
                return Results.StatusCode(status);
            });
            app.MapGet("/read", async (Db plain, CancellationToken ct) => await plain.ValueAsync<int>("SELECT 1", ct));
        });
        var meterFactory = app.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this app's meter: other test classes run their own apps at the same time.
            if (instrument.Meter.Name == "PgKit.AspNetCore" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name + ".count", 1, (_, n) => n + 1));
        listener.Start();
        var client = app.GetTestClient();

        await client.PostAsync("/notes/201", null);
        await client.PostAsync("/notes/400", null);
        await client.GetStringAsync("/read");
        await DatabaseFixture.WaitUntilAsync(() => Task.FromResult(app.ActiveSessions() == 0), TimeSpan.FromSeconds(5), "requests ended");

        Assert.Equal(3, measurements.GetValueOrDefault("pgkit.aspnetcore.connection.acquisitions"));
        Assert.Equal(1, measurements.GetValueOrDefault("pgkit.aspnetcore.transaction.commits"));
        Assert.Equal(1, measurements.GetValueOrDefault("pgkit.aspnetcore.transaction.rollbacks"));
        Assert.Equal(3, measurements.GetValueOrDefault("pgkit.aspnetcore.connection.wait_time.count"));
        Assert.Equal(3, measurements.GetValueOrDefault("pgkit.aspnetcore.connection.hold_time.count"));
    }
}
