using System.Diagnostics;
using Npgsql;
using PgKit.Migrations.Tests.Support;

namespace PgKit.Migrations.Tests;

public sealed class MigratorTests
{
    private const string CreateAuthor = "CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL);\n\n-- migrate:down\nDROP TABLE author;\n";
    private const string AddEmail = "ALTER TABLE author ADD COLUMN email text;\n-- migrate:down\nALTER TABLE author DROP COLUMN email;\n";
    private const string CreateBook = "CREATE TABLE book (id int PRIMARY KEY, author_id int REFERENCES author);\n-- migrate:down\nDROP TABLE book;\n";

    [Fact]
    public async Task UpDownUp_RoundTrip_AppliesAndRollsBack()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor).Write("0002_add_email.sql", AddEmail).Write("0003_create_book.sql", CreateBook);
        var migrator = folder.Migrator(db.ConnectionString);

        var up = await migrator.UpAsync();
        Assert.Equal([1L, 2, 3], up.Steps.Select(s => s.Version));
        Assert.Equal(3, up.Head);
        Assert.All(up.Steps, s => Assert.True(s.Duration >= TimeSpan.Zero));
        Assert.True(await db.TableExistsAsync("book"));

        var down = await migrator.DownAsync(steps: 2);
        Assert.Equal([3L, 2], down.Steps.Select(s => s.Version));
        Assert.Equal(1, down.Head);
        Assert.False(await db.TableExistsAsync("book"));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'author' AND column_name = 'email'"));

        var again = await migrator.UpAsync();
        Assert.Equal([2L, 3], again.Steps.Select(s => s.Version));

        var all = await migrator.DownToAsync(0);
        Assert.Equal([3L, 2, 1], all.Steps.Select(s => s.Version));
        Assert.Null(all.Head);
        Assert.False(await db.TableExistsAsync("author"));
        Assert.Empty(await db.AppliedVersionsAsync());

        Assert.Equal(3, (await migrator.UpAsync()).Steps.Count);
    }

    [Fact]
    public async Task UpAsync_To_StopsAtVersion_AndHistoryRecordsEverything()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor).Write("0002_add_email.sql", AddEmail);
        var migrator = folder.Migrator(db.ConnectionString, o => o.AppliedBy = "tester@box");

        var result = await migrator.UpAsync(to: 1);

        Assert.Equal([1L], result.Steps.Select(s => s.Version));
        await using var connection = await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version, name, checksum, duration_ms, applied_by, applied_at FROM pgkit_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1, reader.GetInt64(0));
        Assert.Equal("create_author", reader.GetString(1));
        Assert.Equal(migrator.Migrations[0].Checksum, reader.GetString(2));
        Assert.True(reader.GetInt64(3) >= 0);
        Assert.Equal("tester@box", reader.GetString(4));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task UpAsync_NothingPending_ReturnsEmpty_AndHasPendingIsFalse()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor);
        var migrator = folder.Migrator(db.ConnectionString);
        Assert.True(await migrator.HasPendingAsync()); // no history table yet

        await migrator.UpAsync();

        Assert.False(await migrator.HasPendingAsync());
        var again = await migrator.UpAsync();
        Assert.False(again.Changed);
        Assert.Equal(1, again.Head);
    }

    [Fact]
    public async Task FailingMigration_RollsBackAlone_AndNamesFileAndLine()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder()
            .Write("0001_create_author.sql", CreateAuthor)
            .Write("0002_add_email.sql", AddEmail)
            .Write("0003_broken.sql", "CREATE TABLE half_done (id int);\n\nINSERT INTO half_done\nVALUES (1);\nSELECT id\n  FROM no_such_table;\n");
        var migrator = folder.Migrator(db.ConnectionString);

        var e = await Assert.ThrowsAsync<MigrationException>(() => migrator.UpAsync());

        Assert.Equal(MigrationErrorKind.Failed, e.Kind);
        Assert.Equal("0003_broken.sql", e.FileName);
        Assert.Equal(6, e.Line);
        Assert.Contains("0003_broken.sql", e.Message);
        Assert.Contains("line 6", e.Message);
        Assert.Contains("no_such_table", e.Message);
        Assert.IsType<PostgresException>(e.InnerException);
        Assert.Equal(new long[] { 1, 2 }, await db.AppliedVersionsAsync());
        Assert.True(await db.TableExistsAsync("author"));
        Assert.False(await db.TableExistsAsync("half_done"));
    }

    [Fact]
    public async Task FailingStatementWithoutPosition_ReportsTheStatementsFirstLine()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_divide.sql", "-- header\nCREATE TABLE n (v int);\n\n-- the bad one\nINSERT INTO n\n  VALUES (1 / 0);\n");

        var e = await Assert.ThrowsAsync<MigrationException>(() => folder.Migrator(db.ConnectionString).UpAsync());

        Assert.Equal(5, e.Line);
        Assert.Contains("division by zero", e.Message);
        Assert.False(await db.TableExistsAsync("n"));
    }

    [Fact]
    public async Task FailingDownPart_NamesTheLineInTheFile()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_a.sql", "CREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\nDROP TABLE not_there;\n");
        var migrator = folder.Migrator(db.ConnectionString);
        await migrator.UpAsync();

        var e = await Assert.ThrowsAsync<MigrationException>(() => migrator.DownAsync());

        Assert.Equal(4, e.Line);
        Assert.Contains("(down part)", e.Message);
        Assert.True(await db.TableExistsAsync("a")); // the down part was rolled back too
        Assert.Equal(new long[] { 1 }, await db.AppliedVersionsAsync());
    }

    [Fact]
    public async Task DownAsync_WithoutDownPart_IsRefusedBeforeAnythingRuns()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor).Write("0002_no_down.sql", "ALTER TABLE author ADD COLUMN x int;\n");
        var migrator = folder.Migrator(db.ConnectionString);
        await migrator.UpAsync();

        var e = await Assert.ThrowsAsync<MigrationException>(() => migrator.DownToAsync(0));

        Assert.Equal(MigrationErrorKind.NoDownPart, e.Kind);
        Assert.Contains("0002_no_down.sql", e.Message);
        Assert.Equal(new long[] { 1, 2 }, await db.AppliedVersionsAsync());
    }

    [Fact]
    public async Task ChangedFile_IsRefused_AndRepairAcceptsIt()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor);
        await folder.Migrator(db.ConnectionString).UpAsync();
        folder.Write("0001_create_author.sql", CreateAuthor.Replace("name text", "name varchar(100)")).Write("0002_add_email.sql", AddEmail);
        var migrator = folder.Migrator(db.ConnectionString);

        var e = await Assert.ThrowsAsync<MigrationException>(() => migrator.UpAsync());
        Assert.Equal(MigrationErrorKind.ChecksumMismatch, e.Kind);
        Assert.Contains("0001_create_author.sql", e.Message);
        Assert.Contains("repair", e.Message);
        Assert.Equal(new long[] { 1 }, await db.AppliedVersionsAsync());
        Assert.Equal(MigrationState.Changed, (await migrator.StatusAsync()).Entries[0].State);

        var repaired = await migrator.RepairAsync();
        Assert.Equal([1L], repaired.Rechecksummed);

        Assert.Equal([2L], (await migrator.UpAsync()).Steps.Select(s => s.Version));
    }

    [Fact]
    public async Task MissingFile_IsRefused_AndRepairForgetsIt()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor).Write("0002_add_email.sql", AddEmail);
        await folder.Migrator(db.ConnectionString).UpAsync();
        folder.Delete("0002_add_email.sql");
        folder.Write("0003_create_book.sql", CreateBook);
        var migrator = folder.Migrator(db.ConnectionString);

        var e = await Assert.ThrowsAsync<MigrationException>(() => migrator.UpAsync());
        Assert.Equal(MigrationErrorKind.MissingMigration, e.Kind);
        Assert.Contains("0002_add_email", e.Message);
        Assert.Equal(MigrationState.Missing, (await migrator.StatusAsync()).Entries.Single(x => x.Version == 2).State);

        Assert.Equal([2L], (await migrator.RepairAsync()).Forgotten);
        Assert.Equal([3L], (await migrator.UpAsync()).Steps.Select(s => s.Version));
        Assert.Equal(new long[] { 1, 3 }, await db.AppliedVersionsAsync());
    }

    [Fact]
    public async Task OutOfOrderFile_IsRefused_UnlessAllowed()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor).Write("0003_create_book.sql", CreateBook);
        await folder.Migrator(db.ConnectionString).UpAsync();
        folder.Write("0002_add_email.sql", AddEmail);

        var e = await Assert.ThrowsAsync<MigrationException>(() => folder.Migrator(db.ConnectionString).UpAsync());
        Assert.Equal(MigrationErrorKind.OutOfOrder, e.Kind);
        Assert.Contains("0002_add_email.sql", e.Message);
        Assert.Contains("AllowOutOfOrder", e.Message);
        Assert.Equal(MigrationState.OutOfOrder, (await folder.Migrator(db.ConnectionString).StatusAsync()).Entries[1].State);

        var allowed = await folder.Migrator(db.ConnectionString, o => o.AllowOutOfOrder = true).UpAsync();
        Assert.Equal([2L], allowed.Steps.Select(s => s.Version));
        Assert.Equal(3, allowed.Head);
    }

    [Fact]
    public async Task PlanAsync_ReturnsTheSql_AndChangesNothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor).Write("0002_add_email.sql", AddEmail);
        var migrator = folder.Migrator(db.ConnectionString);

        var plan = await migrator.PlanAsync();

        Assert.Equal(["0001_create_author.sql", "0002_add_email.sql"], plan.Migrations.Select(m => m.FileName));
        var script = plan.ToSql();
        Assert.Contains("CREATE TABLE author", script);
        Assert.Contains("ALTER TABLE author ADD COLUMN email", script);
        Assert.DoesNotContain("DROP TABLE", script);
        Assert.False(await db.TableExistsAsync("pgkit_migrations"));
        Assert.False(await db.TableExistsAsync("author"));
    }

    [Fact]
    public async Task NoTransactionMigration_CreateIndexConcurrently_Works()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder()
            .Write("0001_create_author.sql", CreateAuthor)
            .Write("0002_index_name.sql", "-- pgkit:no-transaction\nCREATE INDEX CONCURRENTLY author_name_idx ON author (name);\nCREATE INDEX CONCURRENTLY author_id_name_idx ON author (id, name);\n-- migrate:down\nDROP INDEX CONCURRENTLY author_id_name_idx;\nDROP INDEX CONCURRENTLY author_name_idx;\n");
        var migrator = folder.Migrator(db.ConnectionString, o => { o.LockTimeout = TimeSpan.FromSeconds(5); o.StatementTimeout = TimeSpan.FromSeconds(30); });

        await migrator.UpAsync();

        Assert.Equal(2, await db.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE tablename = 'author' AND indexname LIKE 'author_%_idx'"));
        Assert.Equal(new long[] { 1, 2 }, await db.AppliedVersionsAsync());
        await migrator.DownAsync();
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE tablename = 'author' AND indexname LIKE 'author_%_idx'"));
    }

    [Fact]
    public async Task TransactionalMigration_CreateIndexConcurrently_FailsWithClearMessage()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor).Write("0002_index.sql", "CREATE INDEX CONCURRENTLY i ON author (name);\n");

        var e = await Assert.ThrowsAsync<MigrationException>(() => folder.Migrator(db.ConnectionString).UpAsync());

        Assert.Contains("0002_index.sql failed at line 1", e.Message);
        Assert.Contains("transaction block", e.Message);
    }

    [Fact]
    public async Task StatementTimeout_IsAppliedInsideEachMigration()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_slow.sql", "SELECT pg_sleep(5);\n");

        var e = await Assert.ThrowsAsync<MigrationException>(() => folder.Migrator(db.ConnectionString, o => o.StatementTimeout = TimeSpan.FromMilliseconds(200)).UpAsync());

        Assert.Contains("statement timeout", e.Message);
        Assert.Empty(await db.AppliedVersionsAsync());
    }

    [Fact]
    public async Task HasPendingAsync_TakesNoLock_WhileAnotherSessionHoldsIt()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor);
        var migrator = folder.Migrator(db.ConnectionString, o => o.LockWaitTimeout = TimeSpan.FromSeconds(30));
        await migrator.UpAsync();
        await using var holder = await db.OpenAsync();
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationOptions.DefaultLockKey})", holder))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        Assert.False(await migrator.HasPendingAsync());
        var up = await migrator.UpAsync(); // the no-op path an app runs at startup
        watch.Stop();

        Assert.False(up.Changed);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task LockWaitTimeout_FailsWithClearMessage()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor);
        await using var holder = await db.OpenAsync();
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationOptions.DefaultLockKey})", holder))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<MigrationException>(() => folder.Migrator(db.ConnectionString, o => o.LockWaitTimeout = TimeSpan.FromMilliseconds(300)).UpAsync());
        watch.Stop();

        Assert.Equal(MigrationErrorKind.LockTimeout, e.Kind);
        Assert.StartsWith("Gave up waiting for the migration lock", e.Message);
        Assert.Contains("0.3 s", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.False(await db.TableExistsAsync("author"));
    }

    [Fact]
    public async Task EmbeddedResourceMigrations_Apply()
    {
        await using var db = await TestDatabase.CreateAsync();
        var options = new MigrationOptions { Source = MigrationSource.FromAssembly(typeof(MigratorTests).Assembly, "PgKit.Migrations.Tests.Resources.") };

        var result = await Migrator.MigrateAsync(db.ConnectionString, options);

        Assert.Equal([1L, 2], result.Steps.Select(s => s.Version));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'book' AND column_name = 'year'"));
    }

    [Fact]
    public async Task ConcurrentMigrators_InProcess_ApplyEachMigrationOnce()
    {
        await using var db = await TestDatabase.CreateAsync();
        // No primary key on purpose: a migration applied twice would leave two rows.
        using var folder = new MigrationFolder()
            .Write("0001_counter.sql", "CREATE TABLE counter (v int);\nINSERT INTO counter VALUES (1);\nSELECT pg_sleep(0.2);\n")
            .Write("0002_second.sql", "INSERT INTO counter VALUES (2);\n")
            .Write("0003_third.sql", "INSERT INTO counter VALUES (3);\n");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => folder.Migrator(db.ConnectionString).UpAsync())));

        Assert.Equal(3, results.Sum(r => r.Steps.Count));
        Assert.Equal(3, await db.ScalarAsync<long>("SELECT count(*) FROM counter"));
        Assert.Equal([1L, 2, 3], results.SelectMany(r => r.Steps).Select(s => s.Version).Order());
        Assert.Equal(new long[] { 1, 2, 3 }, await db.AppliedVersionsAsync());
    }

    [Fact]
    public async Task DataSource_PoolIsReset_OnlyWhenSomethingWasApplied()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = true }.ConnectionString);
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor);
        var before = await BackendPidAsync(dataSource);

        await new Migrator(dataSource, new MigrationOptions { Source = folder.Source }).UpAsync();
        var afterChange = await BackendPidAsync(dataSource);
        await new Migrator(dataSource, new MigrationOptions { Source = folder.Source }).UpAsync();
        var afterNoop = await BackendPidAsync(dataSource);

        Assert.NotEqual(before, afterChange);
        Assert.Equal(afterChange, afterNoop);
    }

    [Fact]
    public async Task DataSource_NothingPending_ChecksOnThePool_AndOpensNoConnectionOfItsOwn()
    {
        // A role allowed one connection: the app's pool holds it, so a second, dedicated connection would be refused.
        await using var db = await TestDatabase.CreateAsync();
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor);
        await folder.Migrator(db.ConnectionString).UpAsync();
        var role = "pgkit_one_" + Guid.NewGuid().ToString("N")[..12];
        var password = new NpgsqlConnectionStringBuilder(db.ConnectionString).Password; // the embedded server asks for one on TCP
        await db.ExecuteAsync($"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1 PASSWORD '{password}'; GRANT SELECT ON pgkit_migrations TO {role}");
        try
        {
            var appConnectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = role, Pooling = true, MaxPoolSize = 1 }.ConnectionString;
            await using var dataSource = NpgsqlDataSource.Create(appConnectionString);
            await BackendPidAsync(dataSource); // the app's connection, now idle in its pool

            var result = await Migrator.MigrateAsync(dataSource, new MigrationOptions { Source = folder.Source });
            Assert.Empty(result.Steps);
            Assert.False(await new Migrator(dataSource, new MigrationOptions { Source = folder.Source }).HasPendingAsync());

            // With something pending the dedicated connection is needed, and the role's limit refuses it: proof the
            // no-op run above never asked for one.
            folder.Write("0002_add_email.sql", AddEmail);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Migrator.MigrateAsync(dataSource, new MigrationOptions { Source = folder.Source }));
            Assert.Equal(PostgresErrorCodes.TooManyConnections, refused.SqlState);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await db.ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    [Fact]
    public async Task SchemaQualifiedHistoryTable_IsUsed()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync("CREATE SCHEMA ops");
        using var folder = new MigrationFolder().Write("0001_create_author.sql", CreateAuthor);

        await folder.Migrator(db.ConnectionString, o => o.Table = "ops.schema_history").UpAsync();

        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM ops.schema_history"));
        Assert.False(await db.TableExistsAsync("pgkit_migrations"));
    }

    private static async Task<int> BackendPidAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
