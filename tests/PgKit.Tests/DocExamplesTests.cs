using Npgsql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

/// <summary>The examples of docs/sql-helpers.md, compiled and run (keep the two in step).</summary>
public sealed class DocExamplesTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Guide_examples_run()
    {
        await using var dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        await using var db = await dataSource.OpenConnectionAsync();
        await db.ExecuteSqlAsync("CREATE TABLE authors (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz NOT NULL DEFAULT now())");

        Author ann = await db.InsertAsync<Author>("authors", new { Name = "Ann", Email = "ann@example.com" });
        Author? same = await db.GetAsync<Author>("authors", new { ann.Id });
        IReadOnlyList<Author> page = await db.SelectAsync<Author>("authors", new { Email = (string?)null }, orderBy: "created_at DESC, id", limit: 20);
        IReadOnlyList<Author> renamed = await db.UpdateAsync<Author>("authors", where: new { ann.Id }, set: new { Name = "Ann B." });
        IReadOnlyList<Author> recent = await db.FetchAsync<Author>("SELECT * FROM authors WHERE created_at > $1 AND name <> $2", [DateTimeOffset.UtcNow.AddDays(-7), "bot"]);
        long total = await db.FetchValueAsync<long>("SELECT count(*) FROM authors");
        string json = await db.FetchJsonAsync("SELECT id, name FROM authors ORDER BY id");
        long removed = await db.DeleteAsync("authors", new { ann.Id });

        Assert.Equal(ann, same);
        Assert.Empty(page);
        Assert.Equal("Ann B.", Assert.Single(renamed).Name);
        Assert.Single(recent);
        Assert.Equal(1, total);
        Assert.Equal($$"""[{"id":{{ann.Id}},"name":"Ann B."}]""", json);
        Assert.Equal(1, removed);

        var authors = new DocAuthors(); // stateless and thread-safe: keep one
        Author created = await authors.InsertAsync(db, new { Name = "Ann" });
        Author found = await authors.GetOrThrowAsync(db, created.Id);
        Author? renamedRow = await authors.ReplaceAsync(db, created.Id, found with { Name = "Ann B." });
        Author? patched = await authors.PatchAsync(db, created.Id, new Dictionary<string, object?> { ["email"] = null });
        Page<Author> first = await authors.ListAsync(db, new PageRequest { Where = new { Email = (string?)null }, OrderBy = "name", Limit = 20, IncludeTotal = true });
        Page<Author> next = await authors.ListAsync(db, new PageRequest { After = first.Items[^1].Id, Limit = 20 });
        long deleted = await authors.DeleteAsync(db, created.Id);

        Assert.Equal("Ann B.", renamedRow!.Name);
        Assert.Null(patched!.Email);
        Assert.Equal(1, first.TotalCount);
        Assert.Empty(next.Items);
        Assert.Equal(1, deleted);
        Assert.Null(await authors.ByEmailAsync(db, "ann@example.com"));
    }

    private sealed class DocAuthors() : Table<Author, int>("authors")
    {
        public Task<Author?> ByEmailAsync(NpgsqlConnection db, string email) => db.GetAsync<Author>(Name, new { email });
    }
}
