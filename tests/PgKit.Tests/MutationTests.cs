using PgKit.Tests.Support;

namespace PgKit.Tests;

public sealed class MutationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Insert_returns_the_stored_row_with_defaults_and_generated_key()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        var ann = await connection.InsertAsync<Person>(people, new { Name = "Ann", Email = "ann@x" });
        Assert.True(ann.Id > 0);
        Assert.Equal(new Person(ann.Id, "Ann", "ann@x", null), ann);

        // [DatabaseGenerated] Id is skipped, [Column("name")] renames FullName, [NotMapped] Display is ignored.
        var row = await connection.InsertAsync<PersonRow>(people, new PersonRow { Id = 999, FullName = "Bob", Email = "bob@x", Age = 5 });
        Assert.NotEqual(999, row.Id);
        Assert.Equal(("Bob", "bob@x", 5), (row.FullName, row.Email, row.Age));
    }

    [Fact]
    public async Task Update_returns_every_updated_row()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        await connection.InsertManyAsync(people, [new { name = "A", age = 1 }, new { name = "B", age = 1 }, new { name = "C", age = 1 }, new { name = "D", age = 2 }]);
        var updated = await connection.UpdateAsync<Person>(people, where: new { age = 1 }, set: new { age = 10, email = (string?)null });
        Assert.Equal(["A", "B", "C"], updated.Select(p => p.Name).Order());
        Assert.All(updated, p => Assert.Equal(10, p.Age));
        Assert.Equal(3, await connection.CountAsync(people, new { age = 10 }));
        Assert.Empty(await connection.UpdateAsync<Person>(people, where: new { age = 99 }, set: new { age = 1 }));
    }

    [Fact]
    public async Task Update_and_delete_refuse_empty_maps()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        var set = await Assert.ThrowsAsync<ArgumentException>(() => connection.UpdateAsync<Person>(people, new { id = 1 }, new { }));
        Assert.Equal("set", set.ParamName);
        var where = await Assert.ThrowsAsync<ArgumentException>(() => connection.UpdateAsync<Person>(people, new Dictionary<string, object?>(), new { age = 1 }));
        Assert.Equal("where", where.ParamName);
        var delete = await Assert.ThrowsAsync<ArgumentException>(() => connection.DeleteAsync(people, new { }));
        Assert.Equal("where", delete.ParamName);
        var insert = await Assert.ThrowsAsync<ArgumentException>(() => connection.InsertAsync<Person>(people, new Dictionary<string, object?>()));
        Assert.Equal("values", insert.ParamName);
    }

    [Fact]
    public async Task Delete_returns_the_count_and_delete_returning_the_rows()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        await connection.InsertManyAsync(people, [new { name = "A", age = 1 }, new { name = "B", age = 1 }, new { name = "C", age = 2 }]);
        Assert.Equal(2, await connection.DeleteAsync(people, new { age = 1 }));
        Assert.Equal(0, await connection.DeleteAsync(people, new { age = 1 }));
        var deleted = await connection.DeleteReturningAsync<Person>(people, new { name = "C" });
        Assert.Equal("C", Assert.Single(deleted).Name);
        Assert.Equal(0, await connection.CountAsync(people));
    }

    [Fact]
    public async Task Upsert_updates_or_does_nothing_on_conflict()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        var first = await connection.UpsertAsync<Person>(people, new { name = "Ann", email = "ann@x", age = 1 }, ["email"]);
        var second = await connection.UpsertAsync<Person>(people, new { name = "Ann B", email = "ann@x", age = 2 }, ["email"]);
        Assert.Equal(first!.Id, second!.Id);
        Assert.Equal(("Ann B", 2), (second.Name, second.Age));

        var skipped = await connection.UpsertAsync<Person>(people, new { name = "X", email = "ann@x" }, ["email"], OnConflict.DoNothing);
        Assert.Null(skipped);
        Assert.Equal("Ann B", (await connection.GetAsync<Person>(people, new { email = "ann@x" }))!.Name);

        var byKey = await connection.UpsertAsync<Person>(people, new Dictionary<string, object?> { ["id"] = first.Id, ["name"] = "Keyed" }, ["id"]);
        Assert.Equal("Keyed", byKey!.Name);
        Assert.Equal(1, await connection.CountAsync(people));

        var noKeys = await Assert.ThrowsAsync<ArgumentException>(() => connection.UpsertAsync<Person>(people, new { name = "Y" }));
        Assert.Equal("conflictColumns", noKeys.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => connection.UpsertAsync<Person>(people, new { email = "ann@x" }, ["email"]));
    }

    [Fact]
    public async Task Helpers_run_inside_the_connections_transaction()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.InsertAsync<Person>(people, new { name = "Ghost" });
            await connection.InsertManyAsync(people, Enumerable.Range(0, 150).Select(i => new { name = "g" + i }));
            Assert.Equal(151, await connection.CountAsync(people));
            await transaction.RollbackAsync();
        }

        Assert.Equal(0, await connection.CountAsync(people));
    }
}
