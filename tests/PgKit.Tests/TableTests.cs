using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using Npgsql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

public sealed record Author(
    [property: Key, DatabaseGenerated(DatabaseGeneratedOption.Identity)] int Id,
    string Name,
    string? Email,
    DateTimeOffset CreatedAt);

public sealed class Authors(string table) : Table<Author, int>(table)
{
    public Task<Author?> ByEmailAsync(NpgsqlConnection connection, string email) => connection.GetAsync<Author>(Name, new { email });
}

public sealed class TableTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private Authors authors = null!;

    public async ValueTask InitializeAsync() => authors = await db.OnceAsync("authors", async () =>
    {
        var table = await db.CreateTableAsync("id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, email text UNIQUE, created_at timestamptz NOT NULL DEFAULT now()");
        await using var connection = await db.OpenAsync();
        await connection.InsertManyAsync(table, Enumerable.Range(1, 25).Select(i => new { name = $"author {i:00}", email = i % 5 == 0 ? null : $"a{i}@x" }));
        return new Authors(table);
    });

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public void Descriptor_defaults_come_from_the_row_type()
    {
        Assert.Equal("id", authors.KeyColumn);
        Assert.Equal("Author", authors.EntityName);
        Assert.Equal("custom", new Table<Author, int>("x", entityName: "custom").EntityName);
        Assert.Equal("person_id", new Table<Person, int>("people", keyColumn: "person_id").KeyColumn);
        Assert.Throws<ArgumentException>(() => new Table<NoKey, int>("t"));
    }

    [Fact]
    public async Task Create_get_update_patch_delete()
    {
        await using var connection = await db.OpenAsync();
        var created = await authors.InsertAsync(connection, new { Name = "Zed", Email = "zed@x" });
        Assert.True(created.Id > 25);
        Assert.True(created.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(created, await authors.GetAsync(connection, created.Id));
        Assert.Equal(created, await authors.ByEmailAsync(connection, "zed@x"));

        // Full update writes every non-key column, null included; the identity key is never written.
        var updated = await authors.ReplaceAsync(connection, created.Id, created with { Name = "Zed 2", Email = null });
        Assert.Equal(created with { Name = "Zed 2", Email = null }, updated);

        // Patch writes exactly the given columns.
        var patched = await authors.PatchAsync(connection, created.Id, new Dictionary<string, object?> { ["email"] = "z@x" });
        Assert.Equal(updated! with { Email = "z@x" }, patched);
        Assert.Null(await authors.PatchAsync(connection, -1, new Dictionary<string, object?> { ["email"] = "nobody" }));
        await Assert.ThrowsAsync<ArgumentException>(() => authors.PatchAsync(connection, created.Id, new Dictionary<string, object?>()));

        Assert.Equal(1, await authors.DeleteAsync(connection, created.Id));
        Assert.Equal(0, await authors.DeleteAsync(connection, created.Id));
        Assert.Null(await authors.GetAsync(connection, created.Id));
    }

    [Fact]
    public async Task Get_or_throw_reports_entity_and_key()
    {
        await using var connection = await db.OpenAsync();
        Assert.Equal("author 03", (await authors.GetOrThrowAsync(connection, 3)).Name);
        var error = await Assert.ThrowsAsync<NotFoundException>(() => authors.GetOrThrowAsync(connection, 4242));
        Assert.Equal("Author 4242 does not exist", error.Message);
        Assert.Equal(("Author", (object?)4242), (error.Entity, error.Key));
    }

    [Fact]
    public async Task Offset_paging_with_filter_order_and_total()
    {
        await using var connection = await db.OpenAsync();
        var first = await authors.ListAsync(connection, new PageRequest { Limit = 10, IncludeTotal = true });
        Assert.Equal(Enumerable.Range(1, 10), first.Items.Select(a => a.Id));
        Assert.True(first.HasMore);
        Assert.Equal(25, first.TotalCount);

        var last = await authors.ListAsync(connection, new PageRequest { Limit = 10, Offset = 20 });
        Assert.Equal(5, last.Items.Count);
        Assert.False(last.HasMore);
        Assert.Null(last.TotalCount);

        var filtered = await authors.ListAsync(connection, new PageRequest
        {
            Where = new Dictionary<string, object?> { ["email"] = null },
            OrderBy = OrderBy.Desc("name"),
            Limit = 3,
            IncludeTotal = true,
        });
        Assert.Equal(["author 25", "author 20", "author 15"], filtered.Items.Select(a => a.Name));
        Assert.Equal(5, filtered.TotalCount);
        Assert.True(filtered.HasMore);

        var beyond = await authors.ListAsync(connection, new PageRequest { Offset = 1000, IncludeTotal = true });
        Assert.Empty(beyond.Items);
        Assert.Equal(25, beyond.TotalCount);
    }

    [Fact]
    public async Task Keyset_paging_walks_every_row_once()
    {
        await using var connection = await db.OpenAsync();
        var seen = new List<int>();
        object? after = null;
        Page<Author> page;
        do
        {
            page = await authors.ListAsync(connection, new PageRequest { Limit = 7, After = after });
            seen.AddRange(page.Items.Select(a => a.Id));
            after = page.Items.Count > 0 ? page.Items[^1].Id : null;
        }
        while (page.HasMore);

        Assert.Equal(Enumerable.Range(1, 25), seen.Where(id => id <= 25));
        var filtered = await authors.ListAsync(connection, new PageRequest { After = 10, Where = new { email = (string?)null }, IncludeTotal = true });
        Assert.Equal([15, 20, 25], filtered.Items.Select(a => a.Id));
        Assert.Equal(5, filtered.TotalCount);
        await Assert.ThrowsAsync<ArgumentException>(() => authors.ListAsync(connection, new PageRequest { After = 1, OrderBy = "name" }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => authors.ListAsync(connection, new PageRequest { Limit = 0 }));
    }

    [Fact]
    public async Task Session_overloads_use_the_sessions_connection()
    {
        await using var connection = await db.OpenAsync();
        var session = new TestSession(connection);
        await using var transaction = await connection.BeginTransactionAsync();
        var created = await authors.InsertAsync(session, new { name = "In tx" });
        Assert.Equal(created, await authors.GetOrThrowAsync(session, created.Id));
        Assert.Equal(26, (await authors.ListAsync(session, new PageRequest { IncludeTotal = true, Limit = 1 })).TotalCount);
        await transaction.RollbackAsync();
        Assert.Null(await authors.GetAsync(session, created.Id));
        Assert.Equal(4, session.Calls);
    }

    private sealed record NoKey(string Name);
}
