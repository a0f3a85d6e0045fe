using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class MvcFixture : DatabaseFixture
{
    protected override string Schema => """
        CREATE TABLE articles (id serial PRIMARY KEY, title text NOT NULL UNIQUE);
        CREATE TABLE deferred_codes (id int PRIMARY KEY, code text NOT NULL,
            CONSTRAINT deferred_codes_code_key UNIQUE (code) DEFERRABLE INITIALLY DEFERRED);
        """;
}

[ApiController]
[Route("mvc")]
public sealed class MvcArticlesController(Db db) : ControllerBase
{
    [HttpPost("atomic")]
    public async Task<IActionResult> CreateAsync(ArticleIn article, Atomic atomic, CancellationToken ct)
    {
        var id = await atomic.ValueAsync<int>("INSERT INTO articles (title) VALUES ($1) RETURNING id", ct, article.Title);
        return StatusCode(StatusCodes.Status201Created, new IdOut(id));
    }

    [HttpPost("atomic-400")]
    public async Task<ActionResult<IdOut>> RejectAsync(ArticleIn article, Atomic atomic, CancellationToken ct)
    {
        await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
        return BadRequest();
    }

    [HttpPost("atomic-problem")]
    public async Task<IActionResult> ProblemAsync(ArticleIn article, Atomic atomic, CancellationToken ct)
    {
        await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
        return Problem(statusCode: 422);
    }

    [HttpPost("atomic-throw")]
    public async Task<IActionResult> ThrowAsync(ArticleIn article, Atomic atomic, CancellationToken ct)
    {
        await atomic.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
        throw new InvalidOperationException("action failed after the insert");
    }

    [HttpPost("throw-probed/{kind}")]
    public async Task<IActionResult> ThrowProbedAsync(string kind, ArticleIn article, [FromServices] MvcResponseProbe probe, CancellationToken ct)
    {
        IPgSession session = kind == "atomic" ? HttpContext.RequestServices.GetRequiredService<Atomic>() : db;
        await session.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title);
        probe.Watch(HttpContext);
        throw new InvalidOperationException("action failed after the insert");
    }

    [HttpPost("deferred")]
    public async Task<IActionResult> DeferredAsync(Atomic atomic, CancellationToken ct)
    {
        await atomic.RunAsync("INSERT INTO deferred_codes VALUES (1, 'mvc-dup-value'), (2, 'mvc-dup-value')", ct);
        return Ok("created");
    }

    [Atomic]
    [HttpPost("attribute/{status:int}")]
    public async Task<IActionResult> AttributeAsync(int status, ArticleIn article, CancellationToken ct)
    {
        await db.RunAsync("INSERT INTO articles (title) VALUES ($1)", ct, article.Title); // the constructor's Db, in the transaction
        return StatusCode(status);
    }

    [HttpGet("articles/{id:int}")]
    public async Task<string> GetAsync(int id, CancellationToken ct)
    {
        var connection = await db.GetConnectionAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand("SELECT title FROM articles WHERE id = $1", connection) { Parameters = { new() { Value = id } } };
        return await command.ExecuteScalarAsync(ct) as string ?? throw new NotFoundException("Article", id);
    }
}

/// <summary>Records how many requests hold a connection when the response starts.</summary>
public sealed class MvcResponseProbe
{
    public int HeldWhenTheResponseStarted { get; private set; } = -1;

    public void Watch(HttpContext httpContext)
    {
        var database = httpContext.RequestServices.GetRequiredKeyedService<PgKit.AspNetCore.Hosting.PostgresDatabase>(PostgresOptions.DefaultName);
        httpContext.Response.OnStarting(() =>
        {
            HeldWhenTheResponseStarted = database.ActiveSessions;
            return Task.CompletedTask;
        });
    }
}

public sealed class MvcTests(MvcFixture db) : IClassFixture<MvcFixture>
{
    private static string NewTitle() => "m-" + Guid.NewGuid().ToString("N");

    private Task<long> CountAsync(string title) => db.ScalarAsync<long>($"SELECT count(*) FROM articles WHERE title = '{title}'");

    private Task<WebApplication> StartAsync(bool slowEnd = false) => TestApp.StartAsync(db.ConnectionString, app =>
    {
        if (slowEnd)
        {
            app.Use(async (context, next) =>
            {
                await next(context);
                await Task.Delay(500);
            });
        }

        app.MapControllers();
    }, configure: builder =>
    {
        builder.Services.AddControllers().AddApplicationPart(typeof(MvcArticlesController).Assembly);
        builder.Services.AddSingleton<MvcResponseProbe>();
    });

    [Fact]
    public async Task AtomicAction_CommitsBeforeTheResponse()
    {
        await using var app = await StartAsync(slowEnd: true);
        var title = NewTitle();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/mvc/atomic") { Content = JsonContent.Create(new ArticleIn(title)) };
        using var response = await app.GetTestClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, await CountAsync(title));
    }

    [Theory]
    [InlineData("/mvc/atomic-400", 400)]
    [InlineData("/mvc/atomic-problem", 422)]
    [InlineData("/mvc/atomic-throw", 500)]
    [InlineData("/mvc/attribute/409", 409)]
    public async Task FailingActions_RollBack(string path, int status)
    {
        await using var app = await StartAsync();
        var title = NewTitle();

        using var response = await app.GetTestClient().PostAsJsonAsync(path, new ArticleIn(title));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(0, await CountAsync(title));
        Assert.Equal(0, app.ActiveSessions());
    }

    [Theory]
    [InlineData("atomic")]
    [InlineData("db")]
    public async Task A_throwing_action_rolls_back_and_returns_its_connection_before_the_error_response_is_written(string kind)
    {
        await using var app = await StartAsync();
        var title = NewTitle();

        using var response = await app.GetTestClient().PostAsJsonAsync($"/mvc/throw-probed/{kind}", new ArticleIn(title));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(0, app.Services.GetRequiredService<MvcResponseProbe>().HeldWhenTheResponseStarted);
        Assert.Equal(kind == "atomic" ? 0 : 1, await CountAsync(title)); // Db autocommits: its insert stays
    }

    [Fact]
    public async Task AtomicAttribute_CommitsTheConstructorsDb()
    {
        await using var app = await StartAsync();
        var title = NewTitle();

        using var response = await app.GetTestClient().PostAsJsonAsync("/mvc/attribute/201", new ArticleIn(title));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, await CountAsync(title));
    }

    [Fact]
    public async Task FailingCommit_AnswersAProblem_NotTheActionsResult()
    {
        await using var app = await StartAsync();

        using var response = await app.GetTestClient().PostAsync("/mvc/deferred", null);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("deferred_codes_code_key", json.RootElement.GetProperty("constraint").GetString());
        Assert.DoesNotContain("created", body, StringComparison.Ordinal);
        Assert.DoesNotContain("mvc-dup-value", body, StringComparison.Ordinal);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM deferred_codes"));
    }

    [Fact]
    public async Task ReadsThroughDb_AndNotFoundIs404()
    {
        await using var app = await StartAsync();
        var title = NewTitle();
        var client = app.GetTestClient();
        using var created = await client.PostAsJsonAsync("/mvc/atomic", new ArticleIn(title));
        var id = (await created.Content.ReadFromJsonAsync<IdOut>())!.Id;

        Assert.Equal(title, await client.GetStringAsync($"/mvc/articles/{id}"));
        using var missing = await client.GetAsync("/mvc/articles/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Article 999999 does not exist", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
