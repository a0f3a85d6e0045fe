using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;
using PgKit.Embedded;
using PgKit.Migrations;

namespace PgKit.AspNetCore.Tests;

/// <summary>A test that needs Debian's pgbouncer (scripts/lib/requirements.sh installs it for CI): skipped where it is missing.</summary>
public sealed class PgBouncerFactAttribute : FactAttribute
{
    // xunit v3 records where each fact is declared through these caller-info arguments.
    public PgBouncerFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (!PgBouncer.IsInstalled)
        {
            Skip = "pgbouncer is not installed (apt-get install pgbouncer)";
        }
    }
}

/// <summary>A private server with PgBouncer in transaction mode (2 server connections) in front of it.</summary>
public sealed class PgBouncerFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public PgBouncer? Bouncer { get; private set; }

    public string Direct { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        Direct = await Server.EnsureAppDatabaseAsync("shop");
        if (PgBouncer.IsInstalled)
        {
            Bouncer = await PgBouncer.StartAsync(Server, poolSize: 2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Bouncer is not null)
        {
            await Bouncer.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}

public sealed class PgBouncerTests(PgBouncerFixture fixture) : IClassFixture<PgBouncerFixture>
{
    private static readonly MigrationSource Migrations = MigrationSource.FromMigrations(
        [Migration.Create(1, "create_notes", "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);\n-- migrate:down\nDROP TABLE notes;")]);

    [PgBouncerFact]
    public async Task AnAppDeclaringTransactionPooling_MigratesDirectly_AndServesConcurrentRequestsThroughPgBouncer()
    {
        var pooled = fixture.Bouncer!.GetAppConnectionString("shop");
        await using var app = await TestApp.StartAsync(pooled, app =>
        {
            app.MapPost("/notes/{id:int}", async (int id, Atomic atomic, CancellationToken ct) =>
            {
                // Session state inside the request transaction stays on one server connection.
                await atomic.RunAsync("SET LOCAL application_name = 'bounced'", ct);
                await atomic.RunAsync("INSERT INTO notes (id, body) VALUES ($1, current_setting('application_name'))", ct, id);
                return Results.Created();
            });
            app.MapGet("/notes/{id:int}", async (int id, Db db, CancellationToken ct) =>
                await db.ValueAsync<string>("SELECT body FROM notes WHERE id = $1", ct, id));
        }, postgres: pg => pg
            .Configure(o =>
            {
                o.TransactionPooling = true;
                o.MigrationConnectionString = fixture.Direct;
            })
            .MigrateOnStartup(Migrations));

        var settings = new NpgsqlConnectionStringBuilder(app.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);

        var client = app.GetTestClient();
        var ids = Enumerable.Range(1, 400).ToList();
        var failures = 0;
        var firstFailure = "";
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
        {
            var write = await client.PostAsync($"/notes/{id}", null, ct);
            var read = await client.GetAsync($"/notes/{id}", ct);
            if (write.StatusCode != HttpStatusCode.Created || read.StatusCode != HttpStatusCode.OK || await read.Content.ReadAsStringAsync(ct) != "bounced")
            {
                if (Interlocked.Increment(ref failures) == 1)
                {
                    firstFailure = $"{write.StatusCode} {await write.Content.ReadAsStringAsync(ct)} / {read.StatusCode} {await read.Content.ReadAsStringAsync(ct)}";
                }
            }
        });

        Assert.True(failures == 0, $"{failures} of 400 failed; the first: {firstFailure}");
    }

    [PgBouncerFact]
    public async Task MigrateOnStartup_ThroughADeclaredTransactionPool_WithoutADirectConnection_IsRefusedNamingTheSetting()
    {
        var app = TestApp.Build(fixture.Bouncer!.GetAppConnectionString("shop"), _ => { }, postgres: pg => pg
            .Configure(o => o.TransactionPooling = true)
            .MigrateOnStartup(Migrations));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        await app.DisposeAsync();

        Assert.Contains("PostgresOptions.MigrationConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains("TransactionPooling", error.Message, StringComparison.Ordinal);
    }

    [PgBouncerFact]
    public async Task WithoutTheSetting_AutoPreparedStatements_BreakBehindPgBouncer()
    {
        // What TransactionPooling prevents: Npgsql prepares a statement on one server connection, and PgBouncer 1.18 runs
        // the next execution on another, where it does not exist.
        var connectionString = new NpgsqlConnectionStringBuilder(fixture.Bouncer!.GetAppConnectionString("shop"))
        {
            MaxAutoPrepare = 5,
            AutoPrepareMinUsages = 1,
        }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            await using var command = dataSource.CreateCommand("SELECT $1::int + 1");
            command.Parameters.AddWithValue(i);
            await command.ExecuteScalarAsync(ct);
        }));
        Assert.Contains("prepared statement", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
