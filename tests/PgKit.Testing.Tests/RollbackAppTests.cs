using System.Diagnostics;
using System.Net;

namespace PgKit.Testing.Tests;

public sealed class RollbackAppTests(RollbackNotesApp app, ITestOutputHelper output)
    : PostgresAppTest<Program>(app, output), IClassFixture<RollbackNotesApp>
{
    [Fact]
    public async Task AtomicCommit_IsVisibleDuringTheTest_AndGoneAfterIt()
    {
        (await Client.PostAsync("/notes", new NoteInput("committed by the app"))).ShouldBe(HttpStatusCode.Created);
        await using (var session = await OpenSessionAsync())
        {
            Assert.Equal(1L, await session.CountAsync("note", new { Title = "committed by the app" }));
        }

        await App.EndTestAsync();
        await App.BeginTestAsync();

        Assert.Equal(0L, (await Client.GetAsync("/notes/count")).Json<NoteCount>().Count);
    }

    [Fact]
    public async Task TestThatFailsHalfWay_LeavesTheNextTestClean()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var session = await OpenSessionAsync();
            await session.InsertAsync<Note>("note", new { Title = "half way" });
            throw new InvalidOperationException("the test fails here");
        });

        await App.EndTestAsync(); // what xunit does after the failed test
        await App.BeginTestAsync();

        await using var next = await OpenSessionAsync();
        Assert.Equal(0L, await next.CountAsync("note"));
    }

    [Fact]
    public async Task FailedAtomicRequest_IsRolledBack_AndTheTestGoesOn()
    {
        (await Client.PostAsync("/notes", new NoteInput("kept"))).ShouldBe(HttpStatusCode.Created);

        (await Client.PostAsync("/notes", new NoteInput("fail: inserted then thrown away"))).ShouldBe(HttpStatusCode.InternalServerError);

        await using var session = await OpenSessionAsync();
        Assert.Equal(1L, await session.CountAsync("note"));
        Assert.Equal(1L, await session.CountAsync("note", new { Title = "kept" }));
    }

    [Fact]
    public async Task FailedAutocommitStatement_DoesNotPoisonTheTestTransaction()
    {
        (await Client.PostAsync("/notes/autocommit", new NoteInput("twice"))).ShouldBe(HttpStatusCode.Created);
        (await Client.PostAsync("/notes/autocommit", new NoteInput("twice"))).ShouldBe(HttpStatusCode.Conflict);

        Assert.Equal(1L, (await Client.GetAsync("/notes/count")).ShouldBe(HttpStatusCode.OK).Json<NoteCount>().Count);
    }

    [Fact]
    public async Task ReadOnlyRequestTransaction_DoesNotMakeTheTestReadOnly()
    {
        Assert.Equal(0L, (await Client.GetAsync("/notes/count/read-only")).ShouldBe(HttpStatusCode.OK).Json<NoteCount>().Count);

        (await Client.PostAsync("/notes", new NoteInput("after a read-only request"))).ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task TransactionTheHandlerRollsBack_LeavesNothing()
    {
        (await Client.PostAsync("/notes/undone", new NoteInput("undone"))).ShouldBe(HttpStatusCode.NoContent);

        Assert.Equal(0L, (await Client.GetAsync("/notes/count")).Json<NoteCount>().Count);
    }

    [Fact]
    public async Task ConcurrentRequests_TakeTurnsOnTheConnection()
    {
        var writes = Enumerable.Range(0, 20).Select(i => Client.PostAsync("/notes", new NoteInput($"parallel {i}")));
        var reads = Enumerable.Range(0, 5).Select(_ => Client.GetAsync("/notes/slow"));

        var responses = await Task.WhenAll(writes.Concat(reads));

        Assert.All(responses, response => Assert.True(response.Status is 201 or 200, response.ToString()));
        Assert.Equal(20L, (await Client.GetAsync("/notes/count")).Json<NoteCount>().Count);
    }

    [Fact]
    public async Task RequestWhileTheTestHoldsTheConnection_FailsClearly_WithinTheAcquireTimeout()
    {
        await using var session = await OpenSessionAsync();
        var watch = Stopwatch.StartNew();

        var response = await Client.GetAsync("/notes/count");

        Assert.True(response.Status >= 500, response.ToString());
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
        Assert.Contains("TestSession", response.Body, StringComparison.Ordinal);
    }
}

public sealed class CommittingAppTests(CommittingNotesApp app, ITestOutputHelper output)
    : PostgresAppTest<Program>(app, output), IClassFixture<CommittingNotesApp>
{
    [Fact]
    public async Task DatabasePerClass_Commits_ForReal()
    {
        (await Client.PostAsync("/notes", new NoteInput("durable"))).ShouldBe(HttpStatusCode.Created);

        // A connection of its own (not the app's) sees the row: it was committed.
        await using var connection = await App.Database.OpenConnectionAsync();
        Assert.Equal(1L, await connection.CountAsync("note", new { Title = "durable" }));
    }

    [Fact]
    public async Task MalformedBody_IsAClientError_WithTheBodyInTheMessage()
    {
        var response = await Client.PostAsync("/notes", "{ not json");
        Assert.InRange(response.Status, 400, 499);
        var error = Assert.Throws<HttpRequestException>(() => response.ShouldBe(HttpStatusCode.Created));
        Assert.Contains("POST /notes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonOptions_AreTheApps()
    {
        Assert.Same(App.JsonOptions, Client.JsonOptions);
        Assert.Equal(System.Text.Json.JsonNamingPolicy.CamelCase, App.JsonOptions.PropertyNamingPolicy);
    }
}

public sealed record NoteCount(long Count);
