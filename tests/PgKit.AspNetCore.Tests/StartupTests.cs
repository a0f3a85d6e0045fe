using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using PgKit.AspNetCore.Hosting;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class StartupFixture : DatabaseFixture;

public sealed class StartupTests(StartupFixture db) : IClassFixture<StartupFixture>
{
    [Fact]
    public async Task Hooks_RunOnce_InRegistrationOrder_BeforeAnyHostedServiceStarts()
    {
        var calls = new ConcurrentQueue<string>();
        WebApplication? app = null;
        var table = "hook_log_" + Guid.NewGuid().ToString("N")[..8];
        app = TestApp.Build(db.ConnectionString, a => a.MapGet("/calls", () => string.Join(",", calls)),
            pg => pg
                .OnInit(async (connection, ct) =>
                {
                    calls.Enqueue(app!.Lifetime.ApplicationStarted.IsCancellationRequested ? "create-after-start" : "create");
                    await using var command = new NpgsqlCommand($"CREATE TABLE {table} (step text)", connection);
                    await command.ExecuteNonQueryAsync(ct);
                }, "create-schema")
                .OnInit(async (connection, ct) =>
                {
                    calls.Enqueue("seed");
                    await using var command = new NpgsqlCommand($"INSERT INTO {table} VALUES ('seed')", connection);
                    await command.ExecuteNonQueryAsync(ct);
                }, "seed")
                .OnInit((connection, ct) =>
                {
                    calls.Enqueue("third");
                    return Task.CompletedTask;
                }),
            builder => builder.Services.AddHostedService(_ => new RecordingHostedService(calls)));
        await using (app)
        {
            await app.StartAsync();
            var client = app.GetTestClient();
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal("create,seed,third,hosted-service", await client.GetStringAsync("/calls"));
            }

            Assert.Equal(1, await db.ScalarAsync<long>($"SELECT count(*) FROM {table}"));
        }
    }

    [Fact]
    public async Task TypesAHookCreates_AreReadableByTheFirstRequest()
    {
        // The hook's connection loads the database's types before the hook runs; without a reload, the pool (which hands
        // that same connection to the request) does not know the enum and cannot read the column until a restart.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
            a.MapGet("/moods", async (Db plain, CancellationToken ct) =>
                await plain.ValueAsync<string>($"SELECT string_agg(m::text, ',') FROM (SELECT mood AS m FROM diary_{suffix} ORDER BY id) AS d", ct) + "|" +
                await plain.ValueAsync<object>($"SELECT mood FROM diary_{suffix} ORDER BY id LIMIT 1", ct)),
            pg => pg.OnInit(async (connection, ct) =>
            {
                await using var command = new NpgsqlCommand(
                    $"CREATE TYPE mood_{suffix} AS ENUM ('sad', 'ok', 'happy'); " +
                    $"CREATE TABLE diary_{suffix} (id int PRIMARY KEY, mood mood_{suffix} NOT NULL); " +
                    $"INSERT INTO diary_{suffix} VALUES (1, 'happy'), (2, 'ok');", connection);
                await command.ExecuteNonQueryAsync(ct);
            }, "create-enum"));

        using var response = await app.GetTestClient().GetAsync("/moods");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("happy,ok|happy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FailingHook_StopsStartup_LogsTheHookName_AndDisposesThePool()
    {
        var calls = new ConcurrentQueue<string>();
        var logs = new LogCapture();
        var app = TestApp.Build(db.ConnectionString, _ => { },
            pg => pg
                .OnInit((_, _) => { calls.Enqueue("first"); return Task.CompletedTask; }, "first")
                .OnInit((_, _) => throw new InvalidOperationException("schema is broken"), "explode")
                .OnInit((_, _) => { calls.Enqueue("never"); return Task.CompletedTask; }, "never"),
            logs: logs);
        await using (app)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

            Assert.Contains("'explode'", error.Message, StringComparison.Ordinal);
            Assert.Contains("schema is broken", error.Message, StringComparison.Ordinal);
            Assert.Equal(["first"], calls);
            var line = Assert.Single(logs.Entries, e => e.EventId.Id == 3);
            Assert.Contains("'explode'", line.Message, StringComparison.Ordinal);
            var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await dataSource.OpenConnectionAsync());
            await DatabaseFixture.WaitUntilAsync(async () => await db.CountBackendsAsync() == 0, TimeSpan.FromSeconds(5), "the pool closed its connection");
        }
    }

    [Fact]
    public void AddPostgres_DoesNotRegisterIHttpContextAccessor()
    {
        // The accessor costs every request of the app (an AsyncLocal, and HttpContext objects no longer reused).
        var services = new ServiceCollection();
        services.AddPostgres(o => o.ConnectionString = db.ConnectionString);

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHttpContextAccessor));
    }

    [Fact]
    public async Task WithoutHooks_StartupDoesNotConnect()
    {
        // Nothing listens on port 1: startup succeeds because nothing connects before the first request.
        await using var app = await TestApp.StartAsync("Host=127.0.0.1;Port=1;Username=nobody;Database=none", a =>
            a.MapGet("/", async (Db plain, CancellationToken ct) => await plain.ValueAsync<int>("SELECT 1", ct)));

        using var response = await app.GetTestClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task MissingConnectionString_IsAStartupErrorNamingTheSetting()
    {
        await using var app = TestApp.Build(connectionString: null, _ => { });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("ConnectionStrings:Postgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidOptions_AreReportedTogether()
    {
        await using var app = TestApp.Build(db.ConnectionString + ";Bogus Keyword=1", _ => { }, pg => pg.Configure(o =>
        {
            o.AcquireTimeout = TimeSpan.Zero;
            o.ShutdownTimeout = TimeSpan.FromSeconds(-1);
        }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("AcquireTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("ShutdownTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("bogus keyword", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AddPostgres_IsIdempotent()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:Postgres", db.ConnectionString)]).Build();

        services.AddPostgres(configuration);
        services.AddPostgres(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(PostgresHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(Db) && !d.IsKeyedService);
        Assert.Single(services, d => d.ServiceType == typeof(NpgsqlDataSource) && !d.IsKeyedService);
        using var provider = services.BuildServiceProvider();
        Assert.Equal([PostgresOptions.DefaultName], provider.GetRequiredService<IOptions<PostgresRegistryOptions>>().Value.Names);
    }

    [Fact]
    public async Task WithAtomicWithoutAddPostgres_FailsWithAMessageNamingAddPostgres()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();
        app.MapPost("/x", () => "x").WithAtomic();

        var error = Assert.Throws<InvalidOperationException>(() => ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).ToList());

        Assert.Contains("AddPostgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideAHost_TheDataSourceIsBuiltOnFirstUse_AndClosedWithTheProvider()
    {
        // A script or a console tool: no host, no hosted service, a provider disposed synchronously.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" });
        services.AddPostgres(o => o.ConnectionString = db.ConnectionString);
        NpgsqlDataSource dataSource;
        using (var provider = services.BuildServiceProvider())
        {
            dataSource = provider.GetRequiredService<NpgsqlDataSource>();
            await using var scope = provider.CreateAsyncScope();
            Assert.Equal(5, await scope.ServiceProvider.GetRequiredService<Db>().ValueAsync<int>("SELECT 5", CancellationToken.None));
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await dataSource.OpenConnectionAsync());
    }

    [Fact]
    public async Task NamedDatabases_WorkSideBySide()
    {
        var (reportingName, reportingConnection) = await db.CreateDatabaseAsync();
        var reportingHookRan = false;
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
        {
            a.MapGet("/names", async (Db main, [FromKeyedServices("reporting")] Db reporting, CancellationToken ct) =>
                await main.ValueAsync<string>("SELECT current_database()", ct) + "|" + await reporting.ValueAsync<string>("SELECT current_database()", ct));
            a.MapPost("/reports/{status:int}", async (int status, [FromKeyedServices("reporting")] Atomic reporting, CancellationToken ct) =>
            {
                await reporting.RunAsync("INSERT INTO reports VALUES ($1)", ct, status);
                return Results.StatusCode(status);
            });
        }, configure: builder =>
        {
            builder.Configuration["ConnectionStrings:reporting"] = reportingConnection;
            builder.Services.AddPostgres("reporting", builder.Configuration).OnInit(async (connection, ct) =>
            {
                reportingHookRan = true;
                await using var command = new NpgsqlCommand("CREATE TABLE reports (status int)", connection);
                await command.ExecuteNonQueryAsync(ct);
            });
        });
        var client = app.GetTestClient();

        Assert.True(reportingHookRan);
        Assert.Equal($"{db.DatabaseName}|{reportingName}", await client.GetStringAsync("/names"));
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/reports/201", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/reports/409", null)).StatusCode);
        var reporting = app.Services.GetRequiredKeyedService<NpgsqlDataSource>("reporting");
        await using var count = reporting.CreateCommand("SELECT string_agg(status::text, ',') FROM reports");
        Assert.Equal("201", await count.ExecuteScalarAsync());
        Assert.NotSame(reporting, app.Services.GetRequiredService<NpgsqlDataSource>());
    }

    [Fact]
    public async Task ConfigureDataSource_ReachesTheNpgsqlBuilder()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
            a.MapGet("/settings", async (Db plain, CancellationToken ct) =>
                await plain.ValueAsync<string>("SELECT current_setting('application_name') || '|' || current_setting('search_path')", ct)),
            pg => pg.ConfigureDataSource(builder =>
            {
                builder.ConnectionStringBuilder.ApplicationName = "pgkit-tests";
                builder.UsePhysicalConnectionInitializer(
                    connection =>
                    {
                        using var command = new NpgsqlCommand("SET search_path TO pg_catalog, public", connection);
                        command.ExecuteNonQuery();
                    },
                    async connection =>
                    {
                        await using var command = new NpgsqlCommand("SET search_path TO pg_catalog, public", connection);
                        await command.ExecuteNonQueryAsync();
                    });
            }));

        Assert.Equal("pgkit-tests|pg_catalog, public", await app.GetTestClient().GetStringAsync("/settings"));
    }

    [Fact]
    public async Task Passwords_NeverReachALog()
    {
        const string secret = "pgkit-secret-8c1f";
        var logs = new LogCapture();
        // A role of its own whose password is the secret: the embedded server checks passwords on TCP.
        var role = "pw_" + Guid.NewGuid().ToString("N")[..10];
        // Unpooled: an idle pooled connection would outlive the test and count as a backend in the class's other tests.
        await using (var admin = new NpgsqlConnection(DatabaseFixture.Unpooled(db.ConnectionString)))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN PASSWORD '{secret}'", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = role, Password = secret, MaxPoolSize = 1 }.ConnectionString;
        await using (var app = await TestApp.StartAsync(connectionString, a =>
        {
            a.MapGet("/ok", async (Db plain, CancellationToken ct) => await plain.ValueAsync<int>("SELECT 1", ct));
            a.MapGet("/fail", async (Db plain, CancellationToken ct) => await plain.ValueAsync<int>("SELECT 1/0", ct));
        }, pg => pg.OnInit((_, _) => Task.CompletedTask, "noop"), logs: logs))
        {
            var client = app.GetTestClient();
            await client.GetStringAsync("/ok");
            await client.GetAsync("/fail");
        }

        Assert.Contains(logs.Entries, e => e.EventId.Id == 1); // the data source line was written
        Assert.Contains(logs.Entries, e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal)); // Npgsql logs too
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(secret, StringComparison.Ordinal)
            || (e.Exception?.ToString().Contains(secret, StringComparison.Ordinal) ?? false));
    }

    private sealed class RecordingHostedService(ConcurrentQueue<string> calls) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            calls.Enqueue("hosted-service");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
