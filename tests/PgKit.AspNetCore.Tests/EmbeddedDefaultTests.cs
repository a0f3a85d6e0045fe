using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PgKit.Embedded;

namespace PgKit.AspNetCore.Tests;

public sealed class EmbeddedDefaultTests : IDisposable
{
    private readonly string _contentRoot = Path.Combine(Path.GetTempPath(), "pgkit-tests", "app-" + Guid.NewGuid().ToString("N")[..10]);

    public EmbeddedDefaultTests()
    {
        Directory.CreateDirectory(_contentRoot);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.GetDirectoryName(_contentRoot)!, (UnixFileMode)0b1_111_111_111);
            File.SetUnixFileMode(_contentRoot, (UnixFileMode)0b111_101_101);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Development_WithoutConnectionString_UsesThePersistentEmbeddedServerOfTheContentRoot_AndStopsItWithTheApp()
    {
        var app = Build("Development", pg => pg.UseEmbeddedServerInDevelopment());
        app.MapGet("/db", async (Db db, CancellationToken ct) => await db.FetchValueAsync<string>("SELECT current_database() || ' ' || current_user || ' ' || (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)", cancellationToken: ct));
        await app.StartAsync();

        var folder = Path.Combine(_contentRoot, ".pgkit", "db");
        Assert.Equal("postgres app false", await app.GetTestClient().GetStringAsync("/db"));
        Assert.NotNull(PostgresServer.FindRunning(folder));

        await app.StopAsync();
        await app.DisposeAsync();
        Assert.Null(PostgresServer.FindRunning(folder));
        Assert.True(File.Exists(Path.Combine(folder, "pgdata", "PG_VERSION")), "the data survives the app");
    }

    [Theory]
    [InlineData("Production", true)]
    [InlineData("Staging", true)]
    [InlineData("Development", false)]
    public async Task WithoutConnectionString_TheEmbeddedServerIsUsedOnlyInDevelopment_UnlessAskedFor(string environment, bool inDevelopmentOnly)
    {
        var app = Build(environment, pg => { if (inDevelopmentOnly) { pg.UseEmbeddedServerInDevelopment(); } });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        await app.DisposeAsync();

        Assert.Contains("ConnectionStrings:Postgres", error.Message, StringComparison.Ordinal);
        Assert.Null(PostgresServer.FindRunning(Path.Combine(_contentRoot, ".pgkit", "db")));
    }

    [Fact]
    public async Task TheDataSource_BeforeTheHostStarts_IsNeverBuiltByBlockingOnTheEmbeddedServer()
    {
        var app = Build("Development", pg => pg.UseEmbeddedServerInDevelopment());
        try
        {
            // Before the fix this resolved the connection string synchronously, starting the server (initdb and all) on
            // the calling thread; now only the host's asynchronous start does that.
            var error = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>());

            Assert.Contains("after the host has started", error.Message, StringComparison.Ordinal);
            Assert.Null(PostgresServer.FindRunning(Path.Combine(_contentRoot, ".pgkit", "db")));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Production_AskedForInSoManyWords_UsesTheEmbeddedServer_AndWarns()
    {
        var logs = new Support.LogCapture();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = _contentRoot });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddPostgres(builder.Configuration).UseEmbeddedServerInEveryEnvironment();
        var app = builder.Build();
        app.MapGet("/db", async (Db db, CancellationToken ct) => await db.FetchValueAsync<string>("SELECT current_user", cancellationToken: ct));
        await app.StartAsync();
        try
        {
            Assert.Equal("app", await app.GetTestClient().GetStringAsync("/db"));
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.EventId.Name == "EmbeddedServerOutsideDevelopment");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task MigrateOnStartup_AppliesMigrationsBeforeTheStartupHooks()
    {
        var (_, connectionString) = await CreateDatabaseAsync();
        string? seenByHook = null;
        var source = PgKit.Migrations.MigrationSource.FromMigrations(
        [
            PgKit.Migrations.Migration.Create(1, "create_note", "CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL);\n-- migrate:down\nDROP TABLE note;"),
            PgKit.Migrations.Migration.Create(2, "seed_note", "INSERT INTO note VALUES (1, 'migrated');\n-- migrate:down\nDELETE FROM note;"),
        ]);
        var app = Build("Production", pg => pg
            .OnInit(async (conn, ct) => seenByHook = await conn.FetchValueAsync<string>("SELECT body FROM note WHERE id = 1", cancellationToken: ct), "read-note")
            .MigrateOnStartup(source));
        app.Configuration["ConnectionStrings:Postgres"] = connectionString;
        await app.StartAsync();
        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Equal("migrated", seenByHook);
    }

    [Fact]
    public async Task MigrateOnStartup_AFailingMigration_StopsStartup()
    {
        var (_, connectionString) = await CreateDatabaseAsync();
        var source = PgKit.Migrations.MigrationSource.FromMigrations(
            [PgKit.Migrations.Migration.Create(1, "broken", "CREATE TABLE oops (id int);\nSELECT no_such_column FROM oops;")]);
        var app = Build("Production", pg => pg.MigrateOnStartup(source));
        app.Configuration["ConnectionStrings:Postgres"] = connectionString;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        await app.DisposeAsync();

        Assert.Contains("0001_broken", error.ToString(), StringComparison.Ordinal);
    }

    private WebApplication Build(string environment, Action<IPostgresBuilder> postgres)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = _contentRoot });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        postgres(builder.Services.AddPostgres(builder.Configuration));
        return builder.Build();
    }

    private static async Task<(string Name, string ConnectionString)> CreateDatabaseAsync()
    {
        var server = await PgKit.Testing.TestPostgres.SharedAsync();
        var name = "pgkit_web_embedded_" + Guid.NewGuid().ToString("N")[..8];
        return (name, await server.CreateDatabaseAsync(name));
    }
}
