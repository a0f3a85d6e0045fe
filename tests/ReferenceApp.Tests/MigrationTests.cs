using Npgsql;
using PgKit;
using PgKit.Migrations;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

/// <summary>The app's embedded migrations, driven by PgKit's Migrator on databases of their own.</summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task DownThenUp_KeepsTheArticlesTextAcrossTheColumnRename()
    {
        await using var database = await ReferenceAppFactory.CreateEmptyDatabaseAsync();
        var migrator = new Migrator(database.ConnectionString, new MigrationOptions { Source = ReferenceAppServiceCollectionExtensions.Migrations });
        await migrator.UpAsync();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        var author = await connection.FetchValueAsync<long>("INSERT INTO author (first_name, last_name) VALUES ('Jean', 'Bob') RETURNING id");
        await connection.ExecuteSqlAsync("INSERT INTO article (author_id, title, content) VALUES ($1, 'Article A', 'The text that must survive')", [author]);

        // Back to 0002: the coupon and item tables go, and content is description again, with its data.
        var down = await migrator.DownToAsync(2);
        Assert.Equal([6L, 5L, 4L, 3L], down.Steps.Select(s => s.Version));
        Assert.Equal("The text that must survive", await connection.FetchValueAsync<string>("SELECT description FROM article"));
        Assert.Equal(["author_id", "created_at", "description", "id", "title", "updated_at"], await ColumnsAsync(connection, "article"));

        await migrator.UpAsync();
        Assert.Equal("The text that must survive", await connection.FetchValueAsync<string>("SELECT content FROM article"));
        Assert.Equal(["author_id", "content", "created_at", "id", "title", "updated_at"], await ColumnsAsync(connection, "article"));
    }

    [Fact]
    public async Task EveryDownPart_UndoesItsUpPart()
    {
        await using var database = await ReferenceAppFactory.CreateEmptyDatabaseAsync();
        var migrator = new Migrator(database.ConnectionString, new MigrationOptions { Source = ReferenceAppServiceCollectionExtensions.Migrations });
        await using var connection = new NpgsqlConnection(database.ConnectionString);

        Assert.Equal(6, (await migrator.UpAsync()).Steps.Count);
        Assert.Equal(["article", "author", "coupon", "item", "pgkit_migrations"], await TablesAsync(connection));

        Assert.Equal(6, (await migrator.DownToAsync(0)).Steps.Count);
        Assert.Equal(["pgkit_migrations"], await TablesAsync(connection));
        Assert.Equal(0, await connection.FetchValueAsync<long>("SELECT count(*) FROM pg_proc WHERE proname = 'set_updated_at'"));

        Assert.Equal(6, (await migrator.UpAsync()).Steps.Count);
        Assert.False(await migrator.HasPendingAsync());
    }

    [Fact]
    public async Task TheTablesChecks_HaveTheApisLimits()
    {
        await using var database = await ReferenceAppFactory.CreateEmptyDatabaseAsync();
        await Migrator.MigrateAsync(database.ConnectionString, new MigrationOptions { Source = ReferenceAppServiceCollectionExtensions.Migrations });
        await using var connection = new NpgsqlConnection(database.ConnectionString);

        // What the API accepts, the table accepts (25 characters, one of them outside the BMP)...
        var author = await connection.InsertAsync<(long Id, string FirstName)>("author", new { FirstName = new string('a', 24) + "😀", LastName = "B" });
        await connection.InsertAsync<long>("article", new { AuthorId = author.Id, Title = new string('t', 60), Content = "" });
        await connection.InsertAsync<Guid>("coupon", new { Code = new string('c', 64), InitCount = 1, RemainingCount = 0 });
        await connection.InsertAsync<long>("item", new { Name = new string('n', 64) });

        // ...and what it refuses, the table refuses too.
        Assert.True((await Assert.ThrowsAsync<PostgresException>(() => connection.InsertAsync<long>("author", new { FirstName = new string('a', 26), LastName = "B" }))).IsCheckViolation());
        Assert.True((await Assert.ThrowsAsync<PostgresException>(() => connection.InsertAsync<long>("author", new { FirstName = "A", LastName = "" }))).IsCheckViolation());
        Assert.True((await Assert.ThrowsAsync<PostgresException>(() => connection.InsertAsync<long>("article", new { AuthorId = author.Id, Title = new string('t', 61), Content = "" }))).IsCheckViolation());
        Assert.True((await Assert.ThrowsAsync<PostgresException>(() => connection.InsertAsync<Guid>("coupon", new { Code = "X", InitCount = 0, RemainingCount = 0 }))).IsCheckViolation());
        Assert.True((await Assert.ThrowsAsync<PostgresException>(() => connection.InsertAsync<Guid>("coupon", new { Code = "Y", InitCount = 1, RemainingCount = -1 }))).IsCheckViolation());
        Assert.True((await Assert.ThrowsAsync<PostgresException>(() => connection.InsertAsync<Guid>("coupon", new { Code = "Z", InitCount = 1, RemainingCount = 2 }))).IsCheckViolation());
        Assert.True((await Assert.ThrowsAsync<PostgresException>(() => connection.InsertAsync<long>("item", new { Name = new string('n', 65) }))).IsCheckViolation());
        Assert.True((await Assert.ThrowsAsync<PostgresException>(() => connection.InsertAsync<long>("item", new { Name = new string('n', 64) }))).IsUniqueViolation());
    }

    [Fact]
    public async Task EveryTextColumn_HasALengthCheck_ThatRefusesAnOversizeValueWrittenWithSql()
    {
        await using var database = await ReferenceAppFactory.CreateEmptyDatabaseAsync();
        await Migrator.MigrateAsync(database.ConnectionString, new MigrationOptions { Source = ReferenceAppServiceCollectionExtensions.Migrations });
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        var author = await connection.FetchValueAsync<long>("INSERT INTO author (first_name, last_name) VALUES ('Jean', 'Bob') RETURNING id");

        // The limits of the API (ArticleRules.ContentMaxLength, ItemRules.DescriptionMaxLength), in characters.
        await connection.ExecuteSqlAsync("INSERT INTO article (author_id, title, content) VALUES ($1, 'At the limit', repeat('é', 20000))", [author]);
        await connection.ExecuteSqlAsync("INSERT INTO item (name, description) VALUES ('At the limit', repeat('é', 1000))");
        var content = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteSqlAsync("INSERT INTO article (author_id, title, content) VALUES ($1, 'Over', repeat('x', 20001))", [author]));
        Assert.True(content.IsCheckViolation("article_content_length"));
        var update = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteSqlAsync("UPDATE article SET content = content || 'x'"));
        Assert.True(update.IsCheckViolation("article_content_length"));
        var description = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteSqlAsync("INSERT INTO item (name, description) VALUES ('Over', repeat('x', 1001))"));
        Assert.True(description.IsCheckViolation("item_description_length"));

        // No text column of the app is left without a CHECK bounding its length.
        var unbounded = await connection.FetchAsync<string>(
            """
            SELECT c.table_name || '.' || c.column_name FROM information_schema.columns c
            WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying') AND c.table_name <> 'pgkit_migrations'
              AND NOT EXISTS (
                SELECT FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
                WHERE t.relname = c.table_name AND k.contype = 'c'
                  AND pg_get_constraintdef(k.oid) LIKE '%char_length(' || c.column_name || ')%')
            ORDER BY 1
            """);
        Assert.Empty(unbounded);
    }

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string table) =>
        [.. await connection.FetchAsync<string>("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name", [table])];

    private static async Task<List<string>> TablesAsync(NpgsqlConnection connection) =>
        [.. await connection.FetchAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")];
}
