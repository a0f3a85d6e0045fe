using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PgKit.AspNetCore;

namespace PgKit.OpenTelemetry.Tests;

/// <summary>A database of its own for the class, with the table the endpoints write.</summary>
public sealed class TracingFixture : IAsyncLifetime
{
    private readonly string _name = "pgkit_otel_" + Guid.NewGuid().ToString("N")[..8];

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var server = await PgKit.Testing.TestPostgres.SharedAsync();
        ConnectionString = await server.CreateDatabaseAsync(_name);
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        var server = await PgKit.Testing.TestPostgres.SharedAsync();
        await server.DropDatabaseAsync(_name);
    }
}

/// <summary><c>AddPgKitInstrumentation()</c>: a span per atomic request transaction, Npgsql's spans under it, and the meters.</summary>
public sealed class TracingTests(TracingFixture db) : IClassFixture<TracingFixture>
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];

    [Fact]
    public async Task AtomicEndpoint_HasACommittedSpan_WithNpgsqlSpansUnderIt()
    {
        await using var app = await StartAsync();

        using var response = await app.GetTestClient().PostAsync("/notes", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var span = AtomicSpan("/notes");
        Assert.Equal("committed", span.GetTagItem(PgKitTelemetry.OutcomeTag));
        Assert.Equal(0, span.GetTagItem(PgKitTelemetry.RetriesTag));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        var commands = Children(span).Where(s => s.Source.Name == "Npgsql").ToList();
        Assert.NotEmpty(commands);
        Assert.All(commands, c => Assert.Equal(span.TraceId, c.TraceId));
    }

    [Fact]
    public async Task FailingAtomicEndpoint_HasARolledBackSpan()
    {
        await using var app = await StartAsync();

        using var response = await app.GetTestClient().PostAsync("/notes/fail", null);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var span = AtomicSpan("/notes/fail");
        Assert.Equal("rolled_back", span.GetTagItem(PgKitTelemetry.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, span.GetTagItem("error.type"));
        Assert.Contains(Children(span), s => s.Source.Name == "Npgsql");
    }

    [Fact]
    public async Task RetriedSerializationFailure_ShowsTheRetryCount()
    {
        await using var app = await StartAsync();

        using var response = await app.GetTestClient().PostAsync("/notes/conflict", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3", await response.Content.ReadAsStringAsync());
        var span = AtomicSpan("/notes/conflict");
        Assert.Equal("committed", span.GetTagItem(PgKitTelemetry.OutcomeTag));
        Assert.Equal(2, span.GetTagItem(PgKitTelemetry.RetriesTag));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task TheMetersOfPgKitAndNpgsql_AreCollected()
    {
        await using var app = await StartAsync();

        using var response = await app.GetTestClient().PostAsync("/notes", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(app.Services.GetRequiredService<MeterProvider>().ForceFlush());

        Assert.Contains(_metrics, m => m.MeterName == PgKitTelemetry.MeterName && m.Name == "pgkit.aspnetcore.transaction.commits");
        Assert.Contains(_metrics, m => m.MeterName == "Npgsql");
    }

    private Activity AtomicSpan(string route) =>
        Assert.Single(Snapshot(), s => s.OperationName == PgKitTelemetry.AtomicSpanName && (string?)s.GetTagItem("http.route") == route);

    private IEnumerable<Activity> Children(Activity parent) => Snapshot().Where(s => s.ParentSpanId == parent.SpanId);

    private Activity[] Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    private static async Task<int> RunAsync(IPgSession session, string sql, CancellationToken cancellationToken)
    {
        var connection = await session.GetConnectionAsync(cancellationToken);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration["ConnectionStrings:Postgres"] = db.ConnectionString;
        builder.Services.AddPostgres(builder.Configuration);
        builder.Services.AddOpenTelemetry()
            .AddPgKitInstrumentation()
            .WithTracing(tracing => tracing.AddInMemoryExporter(_spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(_metrics));

        var app = builder.Build();
        app.MapPost("/notes", async (Atomic atomic, CancellationToken ct) =>
            await RunAsync(atomic, "INSERT INTO notes (body) VALUES ('kept')", ct));
        app.MapPost("/notes/fail", async (Atomic atomic, CancellationToken ct) =>
        {
            await RunAsync(atomic, "INSERT INTO notes (body) VALUES ('thrown away')", ct);
            throw new InvalidOperationException("the handler failed after writing");
        });
        var attempts = 0;
        app.MapPost("/notes/conflict", async (Atomic atomic, CancellationToken ct) =>
        {
            var attempt = Interlocked.Increment(ref attempts);
            await RunAsync(atomic, "INSERT INTO notes (body) VALUES ('conflict')", ct);
            if (attempt < 3)
            {
                await RunAsync(atomic, "DO $$ BEGIN RAISE EXCEPTION 'provoked' USING ERRCODE = 'serialization_failure'; END $$", ct);
            }

            return attempt;
        }).WithAtomic(o =>
        {
            o.MaxRetries = 3;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        });

        await app.StartAsync();
        return app;
    }
}
