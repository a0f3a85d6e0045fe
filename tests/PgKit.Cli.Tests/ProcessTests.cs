using System.Diagnostics;
using PgKit.Cli.Tests.Support;

namespace PgKit.Cli.Tests;

/// <summary>The built tool run as separate processes, as users and deploy scripts run it.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _folder = Tool.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task EightProcessesAtOnce_ApplyEachMigrationExactlyOnce_AndAllExitZero()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        // No primary key on purpose: a migration applied twice would leave two rows.
        Tool.WriteMigration(_folder, "0001_counter.sql", "CREATE TABLE counter (migration int);\nINSERT INTO counter VALUES (1);\nSELECT pg_sleep(0.2);\n");
        Tool.WriteMigration(_folder, "0002_second.sql", "INSERT INTO counter VALUES (2);\n");
        Tool.WriteMigration(_folder, "0003_third.sql", "ALTER TABLE counter ADD COLUMN note text;\nINSERT INTO counter VALUES (3);\n");

        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Tool.RunProcessAsync(_folder, null, "migrate", "up", "--connection", db.ConnectionString, "--dir", Path.Combine(_folder, "migrations"))));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(3, runs.Sum(r => r.Output.Split('\n').Count(l => l.StartsWith("Applied ", StringComparison.Ordinal))));
        Assert.Equal(3, await db.ScalarAsync<long>("SELECT count(*) FROM counter"));
        Assert.Equal(3, await db.ScalarAsync<long>("SELECT count(DISTINCT migration) FROM counter"));
        Assert.Equal(3, await db.ScalarAsync<long>("SELECT count(*) FROM pgkit_migrations"));
    }

    [Fact]
    public async Task UnreachableServer_ExitsOne_WithOneSentence_AndDetailsOnlyWhenVerbose()
    {
        Tool.WriteMigration(_folder, "0001_a.sql", "SELECT 1;");
        var connection = "Host=127.0.0.1;Port=1;Timeout=3";

        var quiet = await Tool.RunProcessAsync(_folder, null, "migrate", "up", "-c", connection);
        var verbose = await Tool.RunProcessAsync(_folder, null, "migrate", "up", "-c", connection, "--verbose");

        Assert.Equal(1, quiet.ExitCode);
        Assert.Single(quiet.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: Could not reach the PostgreSQL server", quiet.Error);
        Assert.Equal(1, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Error);
    }

    [Fact]
    public async Task ParseError_ExitsTwo_AsAProcess()
    {
        var result = await Tool.RunProcessAsync(_folder, null, "migrate", "up", "--to", "not-a-number");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not-a-number", result.Error);
    }

    [Fact]
    public async Task DatabaseUrl_AsAProcess_IsUsed()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_a.sql", "CREATE TABLE from_url (id int);\n");

        var result = await Tool.RunProcessAsync(_folder, new Dictionary<string, string?> { ["DATABASE_URL"] = db.Url }, "migrate", "up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await db.TableExistsAsync("from_url"));
    }

    [Fact]
    public async Task Db_StartStatusUrlStop_ForAProjectFolder()
    {
        try
        {
            var start = await Tool.RunProcessAsync(_folder, null, "db", "start");
            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Contains("is running on 127.0.0.1:", start.Output);
            Assert.DoesNotContain("postgres://", start.Output);

            // The server outlived the process that started it.
            var status = await Tool.RunProcessAsync(_folder, null, "db", "status");
            Assert.Equal(0, status.ExitCode);
            Assert.StartsWith("Running: 127.0.0.1:", status.Output);

            var url = await Tool.RunAsync(_folder, "db", "url");
            Assert.Equal(0, url.ExitCode);
            Assert.Matches("^postgres://postgres:[0-9a-f]{64}@127.0.0.1:[0-9]+/postgres", url.Output);
            var watch = Stopwatch.StartNew();

            // The embedded server is the last fallback of the connection resolution: migrate against it.
            Tool.WriteMigration(_folder, "0001_a.sql", "CREATE TABLE IF NOT EXISTS on_embedded (id int);\n-- migrate:down\nDROP TABLE on_embedded;\n");
            var up = await Tool.RunAsync(_folder, "migrate", "up");
            Assert.True(up.ExitCode == 0, up.ToString());
            var down = await Tool.RunAsync(_folder, "migrate", "down");
            Assert.True(down.ExitCode == 0, down.ToString());

            var stop = await Tool.RunProcessAsync(_folder, null, "db", "stop");
            Assert.Equal(0, stop.ExitCode);
            Assert.Contains("Stopped", stop.Output);

            var after = await Tool.RunAsync(_folder, "db", "status");
            Assert.StartsWith("Not running", after.Output);
            var noUrl = await Tool.RunAsync(_folder, "db", "url");
            Assert.Equal(1, noUrl.ExitCode);
            Assert.Contains("pgkit db start", noUrl.Error);
        }
        finally
        {
            await Tool.RunAsync(_folder, "db", "stop");
        }
    }
}
