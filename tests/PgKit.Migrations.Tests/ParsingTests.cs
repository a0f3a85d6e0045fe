namespace PgKit.Migrations.Tests;

public sealed class ParsingTests
{
    [Fact]
    public void FromText_DownMarker_SplitsUpAndDown()
    {
        var m = Migration.FromText("0003_add_index.sql", "CREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");

        Assert.Equal(3, m.Version);
        Assert.Equal("add_index", m.Name);
        Assert.Equal("CREATE TABLE a (id int);\n", m.UpSql);
        Assert.Equal("DROP TABLE a;\n", m.DownSql);
        Assert.True(m.IsTransactional);
    }

    [Fact]
    public void FromText_EmptyDownSection_HasNoDown()
    {
        var m = Migration.FromText("0001_x.sql", "SELECT 1;\n-- migrate:down\n-- nothing to undo yet\n");

        Assert.Null(m.DownSql);
    }

    [Fact]
    public void FromText_NoTransactionMarker_OnFirstLineOnly()
    {
        Assert.False(Migration.FromText("0001_x.sql", "-- pgkit:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);").IsTransactional);
        Assert.True(Migration.FromText("0001_x.sql", "SELECT 1;\n-- pgkit:no-transaction\n").IsTransactional);
    }

    [Fact]
    public void Checksum_IgnoresDownPartAndLineEndings_ButNotUpPart()
    {
        var a = Migration.FromText("0001_x.sql", "CREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");
        var crlf = Migration.FromText("0001_x.sql", "CREATE TABLE a (id int);\r\n-- migrate:down\r\nDROP TABLE a CASCADE;\r\n");
        var changed = Migration.FromText("0001_x.sql", "CREATE TABLE a (id bigint);\n-- migrate:down\nDROP TABLE a;\n");

        Assert.Equal(a.Checksum, crlf.Checksum);
        Assert.NotEqual(a.Checksum, changed.Checksum);
        Assert.Matches("^[0-9a-f]{64}$", a.Checksum);
    }

    [Theory]
    [InlineData("0001_create_author.sql", 1, "create_author")]
    [InlineData("20240101_init.sql", 20240101, "init")]
    public void TryParseFileName_Valid(string file, long version, string name)
    {
        Assert.True(Migration.TryParseFileName(file, out var v, out var n));
        Assert.Equal(version, v);
        Assert.Equal(name, n);
    }

    [Theory]
    [InlineData("create_author.sql")]
    [InlineData("0001-create.sql")]
    [InlineData("0000_zero.sql")]
    [InlineData("0001_x.txt")]
    public void TryParseFileName_Invalid(string file) => Assert.False(Migration.TryParseFileName(file, out _, out _));

    [Fact]
    public void Split_IgnoresSemicolonsInQuotesCommentsAndDollarQuotes()
    {
        const string sql = """
            -- a comment; with a semicolon
            CREATE TABLE "we;ird" (v text DEFAULT 'a;b' /* c;d /* nested; */ e; */);
            INSERT INTO "we;ird" VALUES (E'it\'s;'), ('x''y;');
            DO $body$ BEGIN PERFORM 1; PERFORM 2; END $body$;
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            SELECT a$b FROM (SELECT 1 AS a$b) s;
            -- trailing comment only
            """;

        var statements = SqlScript.Split(sql);

        Assert.Equal(5, statements.Count);
        Assert.StartsWith("CREATE TABLE", sql[statements[0].FirstSignificant..]);
        Assert.StartsWith("DO $body$", sql[statements[2].FirstSignificant..]);
        Assert.StartsWith("SELECT a$b", sql[statements[4].FirstSignificant..]);
    }

    [Fact]
    public void Options_Invalid_ListsEveryProblemInOneMessage()
    {
        var options = new MigrationOptions { LockWaitTimeout = TimeSpan.Zero, StatementTimeout = TimeSpan.FromSeconds(-1), AppliedBy = " " };

        var e = Assert.Throws<ArgumentException>(() => new Migrator("Host=localhost", options));

        Assert.Contains("Source is required", e.Message);
        Assert.Contains("LockWaitTimeout", e.Message);
        Assert.Contains("StatementTimeout", e.Message);
        Assert.Contains("AppliedBy", e.Message);
    }

    [Fact]
    public void DirectorySource_MalformedSqlFileName_IsRefused()
    {
        var dir = Directory.CreateTempSubdirectory("pgkit-parse-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "0001_ok.sql"), "SELECT 1;");
            File.WriteAllText(Path.Combine(dir.FullName, "oops.sql"), "SELECT 1;");
            File.WriteAllText(Path.Combine(dir.FullName, "README.md"), "ignored");

            var e = Assert.Throws<MigrationException>(() => MigrationSource.FromDirectory(dir.FullName).Load());

            Assert.Equal(MigrationErrorKind.InvalidSource, e.Kind);
            Assert.Contains("'oops.sql'", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void DuplicateVersions_AreRefused()
    {
        var source = MigrationSource.FromMigrations([Migration.Create(1, "a", "SELECT 1;"), Migration.Create(1, "b", "SELECT 2;")]);

        var e = Assert.Throws<MigrationException>(() => source.Load());

        Assert.Contains("0001_a.sql and 0001_b.sql", e.Message);
    }

    [Fact]
    public void AssemblySource_LoadsEmbeddedMigrationsInOrder()
    {
        var migrations = MigrationSource.FromAssembly(typeof(ParsingTests).Assembly, "PgKit.Migrations.Tests.Resources.").Load();

        Assert.Equal(["0001_create_book.sql", "0002_add_book_year.sql"], migrations.Select(m => m.FileName));
        Assert.All(migrations, m => Assert.NotNull(m.DownSql));
    }
}
