using Npgsql;
using PgKit.Migrations;

namespace PgKit.Testing.Tests;

public sealed class TemplateTests
{
    [Fact]
    public async Task Template_IsBuiltOnce_AndReusedByALaterRun_WhenNothingChanged()
    {
        var server = await TestPostgres.SharedAsync();
        using var folder = new MigrationFolder();
        folder.Write("0001_create_thing.sql", "CREATE TABLE thing (id int PRIMARY KEY);");
        var options = new PostgresTestOptions { Migrations = folder.Source };

        var first = await TestDatabaseTemplate.GetAsync(server, options);
        var again = await TestDatabaseTemplate.GetAsync(server, options);
        TestDatabaseTemplate.ForgetBuilt(server, options); // what a new test run sees
        var nextRun = await TestDatabaseTemplate.GetAsync(server, options);

        Assert.False(first.WasReused);
        Assert.Same(first, again);
        Assert.True(nextRun.WasReused, $"template {nextRun.Name} was rebuilt although nothing changed");
        Assert.Equal(first.Name, nextRun.Name);
    }

    [Fact]
    public async Task Template_IsRebuilt_WhenAMigrationChanges_AndTheOutdatedOneIsDropped()
    {
        var server = await TestPostgres.SharedAsync();
        using var folder = new MigrationFolder();
        folder.Write("0001_create_thing.sql", "CREATE TABLE thing (id int PRIMARY KEY);");
        var before = await TestDatabaseTemplate.GetAsync(server, new PostgresTestOptions { Migrations = folder.Source });

        folder.Write("0001_create_thing.sql", "CREATE TABLE thing (id int PRIMARY KEY, label text);");
        var after = await TestDatabaseTemplate.GetAsync(server, new PostgresTestOptions { Migrations = folder.Source });

        Assert.NotEqual(before.Name, after.Name);
        Assert.False(after.WasReused);
        await using var clone = await after.CloneAsync();
        await using var connection = await clone.OpenConnectionAsync();
        Assert.Equal(1L, await connection.FetchValueAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'thing' AND column_name = 'label'"));
        Assert.False(await DatabaseExistsAsync(server, before.Name));
    }

    [Fact]
    public async Task Seed_RunsOnceOnTheTemplate_AndClonesAreIndependentCopies()
    {
        var server = await TestPostgres.SharedAsync();
        using var folder = new MigrationFolder();
        folder.Write("0001_create_thing.sql", "CREATE TABLE thing (id int PRIMARY KEY);");
        var seeds = 0;
        var template = await TestDatabaseTemplate.GetAsync(server, new PostgresTestOptions
        {
            Migrations = folder.Source,
            Seed = async (connection, ct) =>
            {
                Interlocked.Increment(ref seeds);
                await connection.ExecuteSqlAsync("INSERT INTO thing VALUES (1), (2)", cancellationToken: ct);
            },
        });

        await using var one = await template.CloneAsync();
        await using var two = await template.CloneAsync();
        await using (var connection = await one.OpenConnectionAsync())
        {
            await connection.ExecuteSqlAsync("INSERT INTO thing VALUES (3)");
        }

        await using var other = await two.OpenConnectionAsync();
        Assert.Equal(2L, await other.FetchValueAsync<long>("SELECT count(*) FROM thing"));
        Assert.Equal(1, seeds);
        Assert.Contains("thing", await other.FetchValueAsync<string>("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task FailingMigration_NamesTheFile_AndIsNotRemembered()
    {
        var server = await TestPostgres.SharedAsync();
        using var folder = new MigrationFolder();
        folder.Write("0001_broken.sql", "CREATE TABLE ok (id int);\nCREATE TABLE broken (id nosuchtype);");
        var options = new PostgresTestOptions { Migrations = folder.Source };

        var error = await Assert.ThrowsAsync<MigrationException>(() => TestDatabaseTemplate.GetAsync(server, options));
        Assert.Contains("0001_broken.sql", error.Message, StringComparison.Ordinal);

        folder.Write("0001_broken.sql", "CREATE TABLE ok (id int);");
        var fixedTemplate = await TestDatabaseTemplate.GetAsync(server, new PostgresTestOptions { Migrations = folder.Source });
        Assert.False(fixedTemplate.WasReused);
    }

    [Fact]
    public async Task DisposingATestDatabase_DropsIt()
    {
        var server = await TestPostgres.SharedAsync();
        var template = await TestDatabaseTemplate.GetAsync(server, new PostgresTestOptions());
        var database = await template.CloneAsync();
        await using (var connection = await database.OpenConnectionAsync())
        {
            Assert.Equal(database.Name, await connection.FetchValueAsync<string>("SELECT current_database()"));
        }

        await database.DisposeAsync();

        Assert.False(await DatabaseExistsAsync(server, database.Name));
    }

    private static async Task<bool> DatabaseExistsAsync(TestPostgres server, string name)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        return await connection.ExistsAsync("pg_database", new { Datname = name });
    }
}
