using Npgsql;

namespace PgKit.Testing.Tests;

// Two classes with fixtures of their own run in parallel (xunit's default across classes): each writes rows tagged
// with its name, at the same time as the other, and must see only its own.
public sealed class ParallelClassA(NotesDatabase fixture) : IClassFixture<NotesDatabase>
{
    [Fact]
    public Task ClassDatabase_SeesOnlyItsOwnRows() => Isolation.WriteAndCountAsync(fixture.Database, "a");

    [Fact]
    public Task DatabasePerTest_SeesOnlyItsOwnRows() => Isolation.WriteToFreshDatabaseAsync(fixture, "a");
}

public sealed class ParallelClassB(OtherNotesDatabase fixture) : IClassFixture<OtherNotesDatabase>
{
    [Fact]
    public Task ClassDatabase_SeesOnlyItsOwnRows() => Isolation.WriteAndCountAsync(fixture.Database, "b");

    [Fact]
    public Task DatabasePerTest_SeesOnlyItsOwnRows() => Isolation.WriteToFreshDatabaseAsync(fixture, "b");
}

public sealed class RollbackSessionTests(NotesDatabase fixture) : IClassFixture<NotesDatabase>
{
    [Fact]
    public async Task RollbackSession_DiscardsEverything_ItWrote()
    {
        await using (var session = await fixture.BeginRollbackAsync())
        {
            await session.InsertAsync<Note>("note", new { Title = "kept only inside" });
            Assert.Equal(1L, await session.CountAsync("note", new { Title = "kept only inside" }));
        }

        await using var after = await fixture.BeginRollbackAsync();
        Assert.Equal(0L, await after.CountAsync("note", new { Title = "kept only inside" }));
    }

    [Fact]
    public async Task RollbackSession_AfterAFailedStatement_StillRollsBack_AndTheNextSessionIsClean()
    {
        await using (var session = await fixture.BeginRollbackAsync())
        {
            await session.InsertAsync<Note>("note", new { Title = "before failure" });
            var duplicate = await Assert.ThrowsAsync<PostgresException>(() => session.InsertAsync<Note>("note", new { Title = "before failure" }));
            Assert.True(duplicate.IsUniqueViolation());
        }

        await using var after = await fixture.BeginRollbackAsync();
        Assert.Equal(0L, await after.CountAsync("note", new { Title = "before failure" }));
    }
}

internal static class Isolation
{
    public static async Task WriteAndCountAsync(TestDatabase database, string tag)
    {
        await using var connection = await database.OpenConnectionAsync();
        for (var i = 0; i < 20; i++)
        {
            await connection.InsertAsync<Note>("note", new { Title = $"class-{tag}-{i}" });
            await Task.Yield();
        }

        await Task.Delay(100); // overlap with the other class
        Assert.Equal(20L, await connection.CountAsync("note", "title LIKE 'class-%'"));
        Assert.Equal(20L, await connection.CountAsync("note", $"title LIKE 'class-{tag}-%'"));
    }

    public static async Task WriteToFreshDatabaseAsync(PostgresFixture fixture, string tag)
    {
        await using var database = await fixture.CreateDatabaseAsync();
        await using var connection = await database.OpenConnectionAsync();
        Assert.Equal(0L, await connection.CountAsync("note"));
        await connection.InsertManyAsync("note", Enumerable.Range(0, 10).Select(i => new { Title = $"test-{tag}-{i}" }));
        await Task.Delay(100);
        Assert.Equal(10L, await connection.CountAsync("note"));
    }
}
