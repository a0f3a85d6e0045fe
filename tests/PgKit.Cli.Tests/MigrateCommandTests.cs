using PgKit.Cli.Tests.Support;

namespace PgKit.Cli.Tests;

public sealed class MigrateCommandTests : IDisposable
{
    private const string CreateAuthor = "CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL);\n-- migrate:down\nDROP TABLE author;\n";
    private const string AddEmail = "ALTER TABLE author ADD COLUMN email text;\n-- migrate:down\nALTER TABLE author DROP COLUMN email;\n";

    private readonly string _folder = Tool.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task New_CreatesTheNextNumberedSnakeCasedFile_WithADownSection()
    {
        Tool.WriteMigration(_folder, "0007_existing.sql", "SELECT 1;");

        var result = await Tool.RunAsync(_folder, "migrate", "new", "Add Author-Email");

        Assert.Equal(0, result.ExitCode);
        var path = Path.Combine(_folder, "migrations", "0008_add_author_email.sql");
        Assert.True(File.Exists(path), result.ToString());
        Assert.Contains("0008_add_author_email.sql", result.Output);
        var text = await File.ReadAllTextAsync(path);
        Assert.Contains("\n-- migrate:down\n", text);
        var parsed = PgKit.Migrations.Migration.FromText("0008_add_author_email.sql", text);
        Assert.True(parsed.IsTransactional);
        Assert.Null(parsed.DownSql); // the template's down part holds only a comment
    }

    [Fact]
    public async Task New_InEmptyFolder_StartsAt0001_AndCreatesTheFolder()
    {
        var result = await Tool.RunAsync(_folder, "migrate", "new", "init", "--dir", "db/migrations");

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(_folder, "db", "migrations", "0001_init.sql")));
    }

    [Fact]
    public async Task Up_Status_Down_EndToEnd()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);
        Tool.WriteMigration(_folder, "0002_add_email.sql", AddEmail);

        var before = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        Assert.Equal(0, before.ExitCode);
        Assert.Contains("pending", before.Output);
        Assert.Contains("0 applied, 2 pending.", before.Output);

        var up = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString, "--to", "1");
        Assert.Equal(0, up.ExitCode);
        Assert.Contains("Applied 0001_create_author.sql", up.Output);
        Assert.Contains("Migrated to version 0001; 1 migration still pending (0002).", up.Output);
        Assert.DoesNotContain("Up to date", up.Output);

        var rest = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString);
        Assert.Contains("Applied 0002_add_email.sql", rest.Output);
        Assert.Contains("Up to date at version 0002.", rest.Output);

        var status = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        Assert.Contains("2 applied, 0 pending.", status.Output);
        Assert.Contains("create_author", status.Output);

        var down = await Tool.RunAsync(_folder, "migrate", "down", "-c", db.ConnectionString, "--steps", "2");
        Assert.Equal(0, down.ExitCode);
        Assert.Contains("Rolled back 0002_add_email.sql", down.Output);
        Assert.Contains("Rolled back 0001_create_author.sql", down.Output);
        Assert.False(await db.TableExistsAsync("author"));
    }

    [Fact]
    public async Task Up_To_SaysWhatIsStillPending_AndWhenNothingWasApplied()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);
        Tool.WriteMigration(_folder, "0002_add_email.sql", AddEmail);
        Tool.WriteMigration(_folder, "0003_c.sql", "SELECT 3;\n");

        var to2 = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString, "--to", "2");
        var again = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString, "--to", "2");
        var all = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString);
        var none = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString);

        Assert.True(to2.ExitCode == 0, to2.ToString());
        Assert.EndsWith("Migrated to version 0002; 1 migration still pending (0003).\n", to2.Output.ReplaceLineEndings("\n"));
        Assert.Contains("Nothing applied; at version 0002, 1 migration still pending (0003).", again.Output);
        Assert.Contains("Up to date at version 0003.", all.Output);
        Assert.Contains("Nothing to apply: already up to date at version 0003.", none.Output);
    }

    [Fact]
    public async Task Status_ShowsChangedFile_AndUpFailsWithOneSentence_ThenRepairFixes()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);
        Assert.Equal(0, (await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString)).ExitCode);
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor.Replace("text", "varchar(50)"));

        var status = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        Assert.Contains("changed", status.Output);
        var up = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString);
        Assert.Equal(1, up.ExitCode);
        Assert.Single(up.Error.TrimEnd().Split('\n'));
        Assert.Contains("0001_create_author.sql", up.Error);

        var repair = await Tool.RunAsync(_folder, "migrate", "repair", "-c", db.ConnectionString);
        Assert.Equal(0, repair.ExitCode);
        Assert.Contains("Re-recorded the checksum of version 0001", repair.Output);
        Assert.Equal(0, (await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString)).ExitCode);
    }

    [Fact]
    public async Task Status_ExitsOne_OnChangedMissingOrOutOfOrder_AndZeroWhenClean()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0002_create_a.sql", "CREATE TABLE a (id int);\n");
        Tool.WriteMigration(_folder, "0003_create_b.sql", "CREATE TABLE b (id int);\n");
        var pending = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        Assert.Equal(0, pending.ExitCode); // pending is not a problem
        Assert.Equal(0, (await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString)).ExitCode);

        var clean = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        Assert.Equal(0, clean.ExitCode);
        Assert.DoesNotContain("problem", clean.Output);

        // Out of order: a new file numbered below the newest applied version.
        Tool.WriteMigration(_folder, "0001_early.sql", "SELECT 1;\n");
        var outOfOrder = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        Assert.Equal(1, outOfOrder.ExitCode);
        Assert.Contains("out of order", outOfOrder.Output);
        Assert.Contains("1 problem(s)", outOfOrder.Output);
        Assert.Equal(0, (await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString, "--allow-out-of-order")).ExitCode);
        File.Delete(Path.Combine(_folder, "migrations", "0001_early.sql"));

        // Changed: an applied file edited.
        Tool.WriteMigration(_folder, "0003_create_b.sql", "CREATE TABLE b (id bigint);\n");
        var changed = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString, "--allow-out-of-order");
        Assert.Equal(1, changed.ExitCode);
        Assert.Contains("changed", changed.Output);
        Tool.WriteMigration(_folder, "0003_create_b.sql", "CREATE TABLE b (id int);\n");
        Assert.Equal(0, (await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString)).ExitCode);

        // Missing: an applied file deleted.
        File.Delete(Path.Combine(_folder, "migrations", "0002_create_a.sql"));
        var missing = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("missing", missing.Output);
    }

    [Fact]
    public async Task UpDryRun_PrintsTheSql_AndChangesNothing()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);

        var result = await Tool.RunAsync(_folder, "migrate", "up", "--dry-run", "-c", db.ConnectionString);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("-- 0001_create_author.sql", result.Output);
        Assert.Contains("CREATE TABLE author", result.Output);
        Assert.False(await db.TableExistsAsync("author"));
        Assert.False(await db.TableExistsAsync("pgkit_migrations"));
    }

    [Fact]
    public async Task FailingMigration_ExitsOne_WithFileAndLine()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);
        Tool.WriteMigration(_folder, "0002_typo.sql", "ALTER TABLE author\n  ADD COLUMN x int;\nALTER TABLE authr ADD COLUMN y int;\n");

        var result = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("0002_typo.sql failed at line 3", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Contains("Applied 0001_create_author.sql", result.Output);
    }

    [Fact]
    public async Task Verify_PassesForDownPartsThatUndoTheirUpParts()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);
        Tool.WriteMigration(_folder, "0002_add_email.sql", AddEmail);
        Tool.WriteMigration(_folder, "0003_mood.sql", "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE INDEX author_name ON author (name);\n-- migrate:down\nDROP INDEX author_name;\nDROP TYPE mood;\n");

        var result = await Tool.RunAsync(_folder, "migrate", "verify", "-c", db.ConnectionString);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Verified", result.Output);
        Assert.False(await db.TableExistsAsync("author")); // verify works on a scratch database, not this one
    }

    [Fact]
    public async Task Verify_ReportsADownPartThatDoesNotUndoItsUpPart()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);
        Tool.WriteMigration(_folder, "0002_add_index.sql", "CREATE INDEX author_name ON author (name);\nALTER TABLE author ADD COLUMN bio text;\n-- migrate:down\nALTER TABLE author DROP COLUMN bio;\n");

        var result = await Tool.RunAsync(_folder, "migrate", "verify", "-c", db.ConnectionString);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: 0002_add_index.sql: the down part does not undo the up part", result.Error);
        Assert.Contains("author_name", result.Error);
        Assert.Contains("verify found 1 problem", result.Error);
    }

    [Fact]
    public async Task DatabaseUrl_FromEnvironment_IsUsed()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);

        var result = await Tool.RunAsync(_folder, new Dictionary<string, string> { ["DATABASE_URL"] = db.Url }, "migrate", "up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await db.TableExistsAsync("author"));
    }

    [Theory]
    [InlineData("migrate", "up", "--bogus")]
    [InlineData("migrate")]
    [InlineData("migrate", "new")]
    [InlineData("migrate", "down", "--steps", "many")]
    [InlineData("nonsense")]
    public async Task BadUsage_ExitsTwo(params string[] args)
    {
        var result = await Tool.RunAsync(_folder, args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);

        // Every line, the hint to run --help included: scripts and CI logs find errors by that prefix.
        Assert.All(result.Error.TrimEnd().Split('\n'), line => Assert.StartsWith("error: ", line));
        Assert.Contains("pgkit --help", result.Error);
    }

    [Fact]
    public async Task Down_ToAndStepsTogether_ExitsTwo()
    {
        var result = await Tool.RunAsync(_folder, "migrate", "down", "--to", "1", "--steps", "1", "-c", "Host=127.0.0.1");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: Give either --to or --steps, not both.", result.Error.Trim());
    }

    [Fact]
    public async Task NoConnectionAnywhere_ExitsOne_SayingHowToProvideOne()
    {
        Tool.WriteMigration(_folder, "0001_create_author.sql", CreateAuthor);

        var result = await Tool.RunAsync(_folder, "migrate", "status");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: No database to connect to", result.Error);
    }
}
