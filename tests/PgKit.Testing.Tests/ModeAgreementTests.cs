using System.Net;

namespace PgKit.Testing.Tests;

/// <summary>
/// The same scenarios in rollback-per-test mode and in database-per-class mode, with the same expected outcome: a test
/// that passes in rollback mode must pass against the real app (autocommit keeps what ran before a failed statement).
/// </summary>
public abstract class ModeAgreementTests<TApp>(TApp app, ITestOutputHelper output) : PostgresAppTest<Program>(app, output)
    where TApp : PostgresAppFactory<Program>
{
    private static string NewTitle() => "n-" + Guid.NewGuid().ToString("N");

    private async Task<long> CountAsync(string title)
    {
        await using var session = await OpenSessionAsync();
        return await session.CountAsync("note", new { Title = title });
    }

    [Fact]
    public async Task A_failed_statement_keeps_what_the_request_wrote_before_it()
    {
        var title = NewTitle();

        var response = await Client.PostAsync("/notes/then-fail", new NoteInput(title));

        Assert.Equal(422, response.Status);
        Assert.Equal(1L, await CountAsync(title));
    }

    [Fact]
    public async Task A_handler_that_catches_a_failed_statement_goes_on_and_keeps_everything_else()
    {
        var title = NewTitle();

        (await Client.PostAsync("/notes/despite-failure", new NoteInput(title))).ShouldBe(HttpStatusCode.Created);

        Assert.Equal(1L, await CountAsync(title));
        Assert.Equal(1L, await CountAsync(title + " after"));
    }

    [Fact]
    public async Task A_failed_atomic_request_leaves_nothing()
    {
        var title = "fail " + NewTitle();

        (await Client.PostAsync("/notes", new NoteInput(title))).ShouldBe(HttpStatusCode.InternalServerError);

        Assert.Equal(0L, await CountAsync(title));
    }
}

public sealed class RollbackModeAgreementTests(RollbackNotesApp app, ITestOutputHelper output)
    : ModeAgreementTests<RollbackNotesApp>(app, output), IClassFixture<RollbackNotesApp>
{
    [Fact]
    public async Task An_isolation_level_the_single_connection_cannot_give_is_reported()
    {
        Assert.Equal(0L, (await Client.GetAsync("/notes/count/serializable")).ShouldBe(HttpStatusCode.OK).Json<NoteCount>().Count);

        Assert.Contains("IsolationLevelIgnoredOnPinnedConnection", ((RollbackNotesApp)App).Warnings.EventNames);
    }
}

public sealed class DatabasePerClassAgreementTests(CommittingNotesApp app, ITestOutputHelper output)
    : ModeAgreementTests<CommittingNotesApp>(app, output), IClassFixture<CommittingNotesApp>;
