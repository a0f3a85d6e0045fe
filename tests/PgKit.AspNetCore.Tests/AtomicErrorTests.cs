using System.Data;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class AtomicErrorFixture : DatabaseFixture
{
    protected override string Schema => """
        CREATE TABLE authors (id int PRIMARY KEY, email text NOT NULL CONSTRAINT authors_email_key UNIQUE,
            age int CONSTRAINT authors_age_check CHECK (age >= 0));
        CREATE TABLE books (id int PRIMARY KEY, author_id int NOT NULL CONSTRAINT books_author_fk REFERENCES authors (id));
        CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL);
        INSERT INTO authors VALUES (1, 'taken@example.com', 30);
        INSERT INTO counters VALUES (1, 0), (2, 0), (3, 0);
        """;
}

public sealed record AtomicBook(int Id, int AuthorId);

/// <summary>
/// Errors raised by PgKit's helpers inside an <see cref="Atomic"/> endpoint: unhandled, they become ProblemDetails
/// (the mapping goes through <see cref="PgErrors"/>); a handler that catches <see cref="PostgresException"/> sees the
/// server's error itself. The serialization failure and the deadlock are real ones, from two transactions.
/// </summary>
public sealed class AtomicErrorTests(AtomicErrorFixture db) : IClassFixture<AtomicErrorFixture>
{
    private static readonly Dictionary<string, Func<PostgresException, bool>> Matchers = new()
    {
        ["unique"] = e => e.IsUniqueViolation("authors_email_key"),
        ["fk"] = e => e.IsForeignKeyViolation("books_author_fk"),
        ["not-null"] = e => e.IsNotNullViolation("email"),
        ["check"] = e => e.IsCheckViolation("authors_age_check"),
        ["serialization"] = e => e.IsSerializationFailure(),
        ["deadlock"] = e => e.IsDeadlock(),
    };

    private void Map(WebApplication app)
    {
        app.MapPost("/raise/{kind}", (string kind, Atomic atomic, CancellationToken ct) => ProvokeAsync(kind, atomic, ct))
            .WithAtomic(o => o.IsolationLevel = IsolationLevel.Serializable);
        app.MapPost("/catch/{kind}", async (string kind, Atomic atomic, CancellationToken ct) =>
        {
            try
            {
                await ProvokeAsync(kind, atomic, ct);
                return Results.Ok();
            }
            catch (PostgresException e) when (Matchers[kind](e))
            {
                // 4xx: the request transaction, aborted by the error, rolls back.
                var caught = Matchers.Where(m => m.Value(e)).Select(m => m.Key).ToArray();
                return Results.Json(new { caught, e.SqlState }, statusCode: StatusCodes.Status418ImATeapot);
            }
        }).WithAtomic(o => o.IsolationLevel = IsolationLevel.Serializable);
    }

    [Theory]
    [InlineData("unique", 409, "23505", "constraint", "authors_email_key")]
    [InlineData("fk", 409, "23503", "constraint", "books_author_fk")]
    [InlineData("not-null", 422, "23502", "column", "email")]
    [InlineData("check", 422, "23514", "constraint", "authors_age_check")]
    [InlineData("serialization", 409, "40001", "retryable", "True")]
    [InlineData("deadlock", 409, "40P01", "retryable", "True")]
    public async Task UnhandledInAnAtomicEndpoint_BecomesProblemDetails(string kind, int status, string sqlState, string extension, string value)
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map);

        using var response = await app.GetTestClient().PostAsync($"/raise/{kind}", null);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(sqlState, root.GetProperty("sqlState").GetString());
        Assert.Equal(value, root.GetProperty(extension).ToString());
        if (kind is "serialization" or "deadlock")
        {
            // Each named as what it is: a deadlock is not reported as a serialization failure.
            Assert.Contains(kind == "deadlock" ? "(deadlock)" : "(serialization failure)", root.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("unique", "23505")]
    [InlineData("fk", "23503")]
    [InlineData("not-null", "23502")]
    [InlineData("check", "23514")]
    [InlineData("serialization", "40001")]
    [InlineData("deadlock", "40P01")]
    public async Task AHandlerCatchingPostgresException_SeesTheServersError(string kind, string sqlState)
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map);

        using var response = await app.GetTestClient().PostAsync($"/catch/{kind}", null);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(StatusCodes.Status418ImATeapot, (int)response.StatusCode);
        Assert.Equal(sqlState, json.RootElement.GetProperty("sqlState").GetString());
        Assert.Equal([kind], json.RootElement.GetProperty("caught").EnumerateArray().Select(e => e.GetString()));
    }

    // Raises one kind of error through PgKit's helpers on the request's Atomic session (or a Table over it).
    private async Task ProvokeAsync(string kind, Atomic atomic, CancellationToken ct)
    {
        switch (kind)
        {
            case "unique":
                await atomic.InsertAsync<int>("authors", new { id = 2, email = "taken@example.com" }, ct);
                break;
            case "fk":
                await new Table<AtomicBook, int>("books").InsertAsync(atomic, new { id = 1, author_id = 999 }, ct);
                break;
            case "not-null":
                await atomic.InsertAsync<int>("authors", new { id = 3, email = (string?)null }, ct);
                break;
            case "check":
                await atomic.UpdateAsync<int>("authors", new { id = 1 }, new { age = -5 }, ct);
                break;
            case "serialization":
                _ = await atomic.FetchValueAsync<int>("SELECT n FROM counters WHERE id = 1", cancellationToken: ct); // takes the snapshot
                await db.ExecuteAsync("UPDATE counters SET n = n + 1 WHERE id = 1"); // a concurrent, committed write
                await atomic.UpdateAsync<int>("counters", new { id = 1 }, new { n = -1 }, ct);
                break;
            default:
                await DeadlockAsync(atomic, ct);
                break;
        }
    }

    // The request locks row 2, another transaction locks row 3 and waits for row 2; then the request asks for row 3.
    // Only the request's backend looks for deadlocks soon (50 ms against 10 s), so the request is the one aborted.
    private async Task DeadlockAsync(Atomic atomic, CancellationToken ct)
    {
        await atomic.ExecuteSqlAsync("SET LOCAL deadlock_timeout = '50ms'", cancellationToken: ct);
        await atomic.ExecuteSqlAsync("UPDATE counters SET n = n + 1 WHERE id = 2", cancellationToken: ct);
        await using var other = new NpgsqlConnection(DatabaseFixture.Unpooled(db.ConnectionString));
        await other.OpenAsync(ct);
        await other.ExecuteSqlAsync("SET deadlock_timeout = '10s'", cancellationToken: ct);
        await using var otherTransaction = await other.BeginTransactionAsync(ct);
        await other.ExecuteSqlAsync("UPDATE counters SET n = n + 1 WHERE id = 3", cancellationToken: ct);
        using var stopOther = new CancellationTokenSource();
        var theirs = other.ExecuteSqlAsync("UPDATE counters SET n = n + 1 WHERE id = 2", cancellationToken: stopOther.Token);
        var pid = other.ProcessID;
        await DatabaseFixture.WaitUntilAsync(
            async () => await db.ScalarAsync<bool>($"SELECT coalesce((SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = {pid}), false)"),
            TimeSpan.FromSeconds(10), "the other transaction waits for row 2");
        try
        {
            await atomic.ExecuteSqlAsync("UPDATE counters SET n = n + 1 WHERE id = 3", cancellationToken: ct);
        }
        finally
        {
            // The request's aborted transaction keeps row 2 until it rolls back, after the handler: stop waiting for it.
            await stopOther.CancelAsync();
            await Task.WhenAny(theirs);
        }
    }
}
