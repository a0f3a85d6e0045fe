using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class ErrorMappingFixture : DatabaseFixture
{
    protected override string Schema => """
        CREATE TABLE authors (id int PRIMARY KEY, email text NOT NULL CONSTRAINT authors_email_key UNIQUE,
            age int CONSTRAINT authors_age_check CHECK (age >= 0));
        CREATE TABLE books (id int PRIMARY KEY, author_id int NOT NULL CONSTRAINT books_author_fk REFERENCES authors (id));
        INSERT INTO authors VALUES (1, 'taken-secret@example.com', 30);
        """;
}

public sealed class ErrorMappingTests(ErrorMappingFixture db) : IClassFixture<ErrorMappingFixture>
{
    private const string SqlMarker = "sql-text-marker";

    private static readonly Dictionary<string, string> Statements = new()
    {
        ["unique"] = "INSERT INTO authors VALUES (2, 'taken-secret@example.com', 1)",
        ["fk"] = "INSERT INTO books VALUES (1, 999)",
        ["not-null"] = "INSERT INTO authors (id, email) VALUES (3, NULL)",
        ["check"] = "INSERT INTO authors VALUES (4, 'x@example.com', -5)",
        ["text"] = "SELECT 'not-a-number-secret'::int",
        ["serialization"] = "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'serialization_failure'; END $$",
        ["deadlock"] = "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'deadlock_detected'; END $$",
        ["too-many"] = "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'too_many_connections'; END $$",
        ["connection"] = "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'connection_failure'; END $$",
        ["undefined-table"] = "SELECT * FROM missing_table",
    };

    private static void Map(WebApplication app)
    {
        app.MapPost("/sql/{kind}", async (string kind, Db plain, CancellationToken ct) =>
            await plain.RunAsync(Statements[kind] + $" /* {SqlMarker} */", ct));
        app.MapPost("/timeout", async (Db plain, CancellationToken ct) =>
        {
            await using var transaction = await plain.BeginAsync(ct);
            await plain.RunAsync("SET LOCAL statement_timeout = 50", ct);
            await plain.RunAsync($"SELECT pg_sleep(2) /* {SqlMarker} */", ct);
        });
        app.MapGet("/authors/{id:int}", (int id, Db plain) => Task.FromException<string>(new NotFoundException("Author", id)));
        app.MapGet("/bug", () => Task.FromException<string>(new InvalidOperationException($"internal bug {SqlMarker}")));
        app.MapGet("/down", async ([FromKeyedServices("down")] Db down, CancellationToken ct) => await down.ValueAsync<int>("SELECT 1", ct));
    }

    private static void AddDownDatabase(IPostgresBuilder pg) =>
        pg.Services.AddPostgres("down", o => o.ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2");

    [Theory]
    [InlineData("/sql/unique", 409, "23505", "authors_email_key", null)]
    [InlineData("/sql/fk", 409, "23503", "books_author_fk", null)]
    [InlineData("/sql/not-null", 422, "23502", null, "email")]
    [InlineData("/sql/check", 422, "23514", "authors_age_check", null)]
    [InlineData("/sql/text", 422, "22P02", null, null)]
    [InlineData("/sql/serialization", 409, "40001", null, null)]
    [InlineData("/sql/deadlock", 409, "40P01", null, null)]
    [InlineData("/timeout", 503, "57014", null, null)]
    [InlineData("/sql/too-many", 503, "53300", null, null)]
    [InlineData("/sql/connection", 503, "08006", null, null)]
    [InlineData("/sql/undefined-table", 500, "42P01", null, null)]
    public async Task DatabaseErrors_MapToProblemDetails_WithoutLeakingDataInProduction(string path, int status, string sqlState, string? constraint, string? column)
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map);

        using var response = await app.GetTestClient().PostAsync(path, null);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        Assert.Equal(sqlState, root.GetProperty("sqlState").GetString());
        if (constraint is not null)
        {
            Assert.Equal(constraint, root.GetProperty("constraint").GetString());
            Assert.Contains(constraint, root.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        if (column is not null)
        {
            Assert.Equal(column, root.GetProperty("column").GetString());
        }

        if (status == 503 || sqlState.StartsWith("40", StringComparison.Ordinal))
        {
            Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        }

        AssertNoLeak(body);
    }

    [Fact]
    public async Task NotFoundException_Answers404WithItsMessage()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map);

        using var response = await app.GetTestClient().GetAsync("/authors/42");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Author 42 does not exist", json.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task NotFoundException_IsLoggedAsWhatItIs_NotAsADatabaseError()
    {
        var logs = new LogCapture();
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map, logs: logs);

        using var response = await app.GetTestClient().GetAsync("/authors/42");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var entry = Assert.Single(logs.Entries, e => e.EventId.Name == "ErrorAnswered");
        Assert.Equal("NotFoundException answered with status 404.", entry.Message);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("SQLSTATE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExtensionKeys_FollowTheAppsJsonNamingPolicy()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map, configure: builder =>
            builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower));

        using var response = await app.GetTestClient().PostAsync("/sql/serialization", content: null);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("40001", json.RootElement.GetProperty("sql_state").GetString());
        Assert.True(json.RootElement.GetProperty("retryable").GetBoolean());
        Assert.False(json.RootElement.TryGetProperty("sqlState", out _));
    }

    [Fact]
    public async Task UnreachableServer_Answers503()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map, AddDownDatabase);

        using var response = await app.GetTestClient().GetAsync("/down");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        AssertNoLeak(body);
    }

    [Fact]
    public async Task OtherExceptions_AreA500ProblemWithoutDetailsInProduction()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map);

        using var response = await app.GetTestClient().GetAsync("/bug");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertNoLeak(body);
    }

    [Fact]
    public async Task Development_BodiesCarryTheServerMessageSqlAndStackTrace()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map, environment: "Development");

        using var response = await app.GetTestClient().PostAsync("/sql/unique", null);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains(SqlMarker, root.GetProperty("statement").GetString(), StringComparison.Ordinal);
        Assert.Contains("taken-secret", root.GetProperty("databaseDetail").GetString(), StringComparison.Ordinal);
        Assert.Contains("   at ", root.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheMappingIsOverridable()
    {
        await using var app = await TestApp.StartAsync(db.ConnectionString, Map, pg => pg.ConfigureProblemDetails(o =>
            o.MapException = (_, exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
                ? new ProblemDetails { Status = 400, Title = "Email already registered" }
                : null));
        var client = app.GetTestClient();

        using var overridden = await client.PostAsync("/sql/unique", null);
        using var builtIn = await client.PostAsync("/sql/fk", null);

        Assert.Equal(HttpStatusCode.BadRequest, overridden.StatusCode);
        Assert.Contains("Email already registered", await overridden.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, builtIn.StatusCode);
    }

    private static void AssertNoLeak(string body)
    {
        Assert.DoesNotContain(SqlMarker, body, StringComparison.Ordinal);
        Assert.DoesNotContain("taken-secret", body, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-number-secret", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"exception\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"statement\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("INSERT", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SELECT", body, StringComparison.OrdinalIgnoreCase);
    }
}
