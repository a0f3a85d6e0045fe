using System.Data;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.TestHost;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class AtomicFixture : DatabaseFixture
{
    protected override string Schema => """
        CREATE TABLE articles (id serial PRIMARY KEY, title text NOT NULL UNIQUE);
        CREATE TABLE deferred_codes (id int PRIMARY KEY, code text NOT NULL,
            CONSTRAINT deferred_codes_code_key UNIQUE (code) DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE parents (id int PRIMARY KEY);
        CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL,
            CONSTRAINT children_parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);
        """;
}

public sealed class AtomicTransactionTests(AtomicFixture db) : IClassFixture<AtomicFixture>
{
    private static string NewTitle() => "t-" + Guid.NewGuid().ToString("N");

    private Task<long> CountAsync(string title) => db.ScalarAsync<long>($"SELECT count(*) FROM articles WHERE title = '{title}'");

    [Fact]
    public async Task AtomicPost_RowIsVisibleToAnotherConnection_WhenTheResponseHeadersArrive()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
        {
            // Keeps the request open after the endpoint: a commit at the end of the request (fastapi_asyncpg's
            // yield-dependency teardown) would come 500 ms after the client already holds the 201.
            app.Use(async (context, next) =>
            {
                await next(context);
                await Task.Delay(500);
            });
            app.MapPost("/articles", async (ArticleIn article, Atomic atomic, CancellationToken ct) =>
            {
                var id = await atomic.ValueAsync<int>("INSERT INTO articles (title) VALUES ($1) RETURNING id", ct, article.Title);
                return TypedResults.Created($"/articles/{id}", new IdOut(id));
            });
        });
        var title = NewTitle();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/articles") { Content = JsonContent.Create(new ArticleIn(title)) };
        using var response = await app.GetTestClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, await CountAsync(title));
    }

    [Fact]
    public async Task HandlerException_RollsBack_AndReturnsTheConnection()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/articles", async (ArticleIn article, Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
                throw new InvalidOperationException("handler failed after the insert");
            }));
        var title = NewTitle();

        using var response = await app.GetTestClient().PostAsJsonAsync("/articles", new ArticleIn(title));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await CountAsync(title));
        Assert.Equal(0, app.ActiveSessions());
        Assert.Equal(0, await db.CountBusyBackendsAsync());
    }

    [Theory]
    [InlineData("bad-request", 400)]
    [InlineData("union-conflict", 409)]
    [InlineData("problem", 422)]
    [InlineData("status-code", 418)]
    [InlineData("not-found-object", 404)]
    public async Task ErrorStatus_RollsBack(string mode, int expectedStatus)
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/articles/{mode}", async Task<object> (string mode, ArticleIn article, Atomic atomic, HttpContext context, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
                switch (mode)
                {
                    case "bad-request":
                        return TypedResults.BadRequest();
                    case "union-conflict":
                        Results<Created<IdOut>, Conflict> union = TypedResults.Conflict();
                        return union;
                    case "problem":
                        return TypedResults.Problem(statusCode: 422);
                    case "status-code":
                        context.Response.StatusCode = 418;
                        return "teapot";
                    default:
                        return Results.NotFound(new { article.Title });
                }
            }));
        var title = NewTitle();

        using var response = await app.GetTestClient().PostAsJsonAsync($"/articles/{mode}", new ArticleIn(title));

        Assert.Equal(expectedStatus, (int)response.StatusCode);
        Assert.Equal(0, await CountAsync(title));
    }

    [Fact]
    public async Task ClientAbort_RollsBack_EvenWhenTheHandlerReturnsSuccess()
    {
        var inserted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/articles", async (ArticleIn article, Atomic atomic, HttpContext context, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
                inserted.SetResult();
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await Task.Delay(10, CancellationToken.None);
                }

                handlerDone.SetResult();
                return TypedResults.Created(); // a handler that ignores the abort still gets no commit
            }));
        var title = NewTitle();
        using var abort = new CancellationTokenSource();

        var request = app.GetTestClient().PostAsJsonAsync("/articles", new ArticleIn(title), abort.Token);
        await inserted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await handlerDone.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await DatabaseFixture.WaitUntilAsync(() => Task.FromResult(app.ActiveSessions() == 0), TimeSpan.FromSeconds(5), "the request ended");

        Assert.Equal(0, await CountAsync(title));
    }

    [Fact]
    public async Task FailingDeferredUniqueCommit_AnswersConflictProblem_AndNeverTheSuccess()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/codes", async (Atomic atomic, CancellationToken ct) =>
            {
                // The deferred constraint is only checked at COMMIT, after the handler returned its 201.
                await atomic.RunAsync("INSERT INTO deferred_codes VALUES (1, 'same-code-value'), (2, 'same-code-value')", ct);
                return TypedResults.Created("/codes/1", new IdOut(1));
            }));

        using var response = await app.GetTestClient().PostAsync("/codes", null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("23505", json.RootElement.GetProperty("sqlState").GetString());
        Assert.Equal("deferred_codes_code_key", json.RootElement.GetProperty("constraint").GetString());
        Assert.DoesNotContain("same-code-value", body, StringComparison.Ordinal);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM deferred_codes"));
    }

    [Fact]
    public async Task FailingDeferredForeignKeyCommit_AnswersConflictProblem()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/children", async (Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO children VALUES (1, 999)", ct);
                return Results.Ok("inserted");
            }));

        using var response = await app.GetTestClient().PostAsync("/children", null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("children_parent_fk", body, StringComparison.Ordinal);
        Assert.DoesNotContain("inserted", body, StringComparison.Ordinal);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM children"));
    }

    [Fact]
    public async Task HandlerWritingTheResponseItself_CommitsBeforeTheFirstByte()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/direct", async (ArticleIn article, Atomic atomic, HttpContext context, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
                await context.Response.WriteAsync("written", ct);
                await context.Response.Body.FlushAsync(ct);
                await release.Task; // the handler is still running while the test looks at the database
            }));
        var title = NewTitle();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/direct") { Content = JsonContent.Create(new ArticleIn(title)) };
        using var response = await app.GetTestClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var visible = await CountAsync(title);
        release.SetResult();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, visible);
    }

    [Fact]
    public async Task TransactionBegunAfterTheResponseStarted_FollowsTheResponseStatus()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/late", async (ArticleIn article, Atomic atomic, HttpContext context, CancellationToken ct) =>
            {
                await context.Response.WriteAsync("streaming...", ct);
                await context.Response.Body.FlushAsync(ct);
                await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
            }));
        var title = NewTitle();

        using var response = await app.GetTestClient().PostAsJsonAsync("/late", new ArticleIn(title));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountAsync(title)); // not silently rolled back at the end of the request
    }

    [Fact]
    public async Task NestedBeginAsync_IsASavepoint()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/nested/{prefix}", async (string prefix, Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, prefix + "-a");
                await using (var discarded = await atomic.BeginAsync(ct))
                {
                    Assert.True(discarded.IsSavepoint);
                    await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, prefix + "-b");
                }

                await using (var failing = await atomic.BeginAsync(ct))
                {
                    try
                    {
                        await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, prefix + "-a"); // unique violation
                    }
                    catch (Npgsql.PostgresException)
                    {
                        await failing.RollbackAsync(ct); // the request transaction goes on
                    }
                }

                await using (var kept = await atomic.BeginAsync(ct))
                {
                    await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, prefix + "-c");
                    await kept.CommitAsync(ct);
                }

                return TypedResults.Created();
            }));
        var prefix = NewTitle();

        using var response = await app.GetTestClient().PostAsync($"/nested/{prefix}", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, await CountAsync(prefix + "-a"));
        Assert.Equal(0, await CountAsync(prefix + "-b"));
        Assert.Equal(1, await CountAsync(prefix + "-c"));
    }

    [Fact]
    public async Task WithAtomicOnAGroup_GivesDbHandlersTheTransaction()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
        {
            var group = app.MapGroup("/tx").WithAtomic();
            group.MapPost("/{status:int}", async (int status, ArticleIn article, Db db, CancellationToken ct) =>
            {
                await db.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
                return Results.StatusCode(status);
            });
            app.MapPost("/plain/{status:int}", async (int status, ArticleIn article, Db db, CancellationToken ct) =>
            {
                await db.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
                return Results.StatusCode(status);
            });
        });
        var client = app.GetTestClient();
        var (committed, rolledBack, autocommitted) = (NewTitle(), NewTitle(), NewTitle());

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/tx/201", new ArticleIn(committed))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/tx/400", new ArticleIn(rolledBack))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/plain/400", new ArticleIn(autocommitted))).StatusCode);

        Assert.Equal(1, await CountAsync(committed));
        Assert.Equal(0, await CountAsync(rolledBack));
        Assert.Equal(1, await CountAsync(autocommitted)); // without WithAtomic, Db autocommits
    }

    [Fact]
    public async Task AtomicAttributeOnAHandler_GivesDbTheTransaction()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/attr", [Atomic] async (ArticleIn article, Db db, CancellationToken ct) =>
            {
                await db.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
                return Results.BadRequest();
            }));
        var title = NewTitle();

        using var response = await app.GetTestClient().PostAsJsonAsync("/attr", new ArticleIn(title));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountAsync(title));
    }

    [Fact]
    public async Task IsolationLevelAndReadOnly_AreApplied()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
        {
            app.MapGet("/settings", async (Atomic atomic, CancellationToken ct) =>
                await atomic.ValueAsync<string>("SELECT current_setting('transaction_isolation') || '/' || current_setting('transaction_read_only')", ct))
                .WithAtomic(o =>
                {
                    o.IsolationLevel = IsolationLevel.Serializable;
                    o.ReadOnly = true;
                });
            app.MapGet("/default", async (Atomic atomic, CancellationToken ct) =>
                await atomic.ValueAsync<string>("SELECT current_setting('transaction_isolation') || '/' || current_setting('transaction_read_only')", ct));
            app.MapPost("/readonly-write", async (Db db, CancellationToken ct) =>
                await db.RunAsync("INSERT INTO articles (title) VALUES ('never')", ct))
                .WithAtomic(o => o.ReadOnly = true);
        });
        var client = app.GetTestClient();

        Assert.Equal("serializable/on", await client.GetStringAsync("/settings"));
        Assert.Equal("read committed/off", await client.GetStringAsync("/default"));
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.PostAsync("/readonly-write", null)).StatusCode);
        Assert.Equal(0, await CountAsync("never"));
    }

    [Fact]
    public async Task DbAndAtomicInOneRequest_ShareOneConnectionAndTransaction()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/both", async (ArticleIn article, Db plain, Atomic atomic, CancellationToken ct) =>
            {
                var plainPid = await plain.ValueAsync<int>("SELECT pg_backend_pid()", ct);
                await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
                var atomicPid = await atomic.ValueAsync<int>("SELECT pg_backend_pid()", ct);
                var seenByDb = await plain.ValueAsync<long>("SELECT count(*) FROM articles WHERE title = $1", ct, article.Title);
                Assert.Same(await plain.GetConnectionAsync(ct), await atomic.GetConnectionAsync(ct));
                Assert.True(plain.IsInTransaction);
                return Results.BadRequest(new { plainPid, atomicPid, seenByDb });
            }));
        var title = NewTitle();

        using var response = await app.GetTestClient().PostAsJsonAsync("/both", new ArticleIn(title));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(json.RootElement.GetProperty("plainPid").GetInt32(), json.RootElement.GetProperty("atomicPid").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("seenByDb").GetInt64()); // Db saw the uncommitted row: same transaction
        Assert.Equal(0, await CountAsync(title)); // and it was rolled back with it
    }

    [Fact]
    public async Task ExplicitBeginAsyncOnDb_IsARealTransaction()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, app =>
            app.MapPost("/explicit/{prefix}", async (string prefix, Db plain, CancellationToken ct) =>
            {
                await using (var kept = await plain.BeginAsync(ct))
                {
                    Assert.False(kept.IsSavepoint);
                    await plain.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, prefix + "-kept");
                    await kept.CommitAsync(ct);
                }

                await using (var dropped = await plain.BeginAsync(ct))
                {
                    await plain.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, prefix + "-dropped");
                }

                return Results.Ok();
            }));
        var prefix = NewTitle();

        using var response = await app.GetTestClient().PostAsync($"/explicit/{prefix}", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountAsync(prefix + "-kept"));
        Assert.Equal(0, await CountAsync(prefix + "-dropped"));
    }
}
