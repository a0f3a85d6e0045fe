using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class RequestProblemsFixture : DatabaseFixture;

/// <summary>A body with data annotations, validated by .NET's minimal-API validation (<c>AddValidation()</c>).</summary>
public sealed record NoteIn
{
    [Range(1, 5)]
    public required int Priority { get; init; }

    [MaxLength(10)]
    public required string Title { get; init; }

    public int? AuthorId { get; init; }
}

/// <summary><c>AddRequestProblems()</c>: malformed requests answer 422 naming the field, as FastAPI does.</summary>
public sealed class RequestProblemsTests(RequestProblemsFixture db) : IClassFixture<RequestProblemsFixture>
{
    public static TheoryData<string, string, string?, string[]> Malformed() => new()
    {
        { "POST", "/notes", "{not json", ["body"] },
        { "POST", "/notes", """{"priority":1,"title":"ok","author_id":"abc"}""", ["author_id"] },
        { "POST", "/notes", """{"priority":1}""", ["title"] },
        { "POST", "/notes", "", ["body"] },
        { "GET", "/notes/abc", null, ["note_id"] },
        { "GET", "/notes?minPriority=x", null, ["min_priority"] },
        { "POST", "/notes", """{"priority":9,"title":"far too long a title"}""", ["priority", "title"] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedRequest_Is422NamingTheField_InTheAppsNamingPolicy(string method, string url, string? body, string[] fields)
    {
        await using var app = await StartAsync(requestProblems: true, snakeCase: true);

        var problem = await SendAsync(app, method, url, body, HttpStatusCode.UnprocessableEntity);

        Assert.Equal(422, problem["status"]!.GetValue<int>());
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(fields, errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.NotEmpty(e.Value!.AsArray()));
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task WithoutTheOptIn_MalformedRequestStays400(string method, string url, string? body, string[] fields)
    {
        _ = fields;
        await using var app = await StartAsync(requestProblems: false, snakeCase: true);

        using var response = await app.GetTestClient().SendAsync(Request(method, url, body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task DataAnnotationFailure_KeepsFrameworkMessages_AndUsesTheDefaultCamelCase()
    {
        await using var app = await StartAsync(requestProblems: true, snakeCase: false);

        var problem = await SendAsync(app, "POST", "/notes", """{"priority":9,"title":"ok","authorId":"x"}""", HttpStatusCode.UnprocessableEntity);
        var wrongType = Assert.Single(problem["errors"]!.AsObject());
        Assert.Equal("authorId", wrongType.Key);
        Assert.Equal("authorId must be an integer.", wrongType.Value![0]!.GetValue<string>());

        problem = await SendAsync(app, "POST", "/notes", """{"priority":9,"title":"ok"}""", HttpStatusCode.UnprocessableEntity);
        var error = Assert.Single(problem["errors"]!.AsObject());
        Assert.Equal("priority", error.Key);
        Assert.Contains("1", error.Value![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("https://tools.ietf.org/html/rfc4918#section-11.2", problem["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task InDevelopment_TheDeveloperPageGivesThe422Too()
    {
        await using var app = await StartAsync(requestProblems: true, snakeCase: true, environment: "Development");

        var problem = await SendAsync(app, "GET", "/notes/abc", null, HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["note_id"], problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task ValidRequest_ReachesTheHandler()
    {
        await using var app = await StartAsync(requestProblems: true, snakeCase: true);

        using var response = await app.GetTestClient().SendAsync(Request("POST", "/notes", """{"priority":2,"title":"fine","author_id":7}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fine 2 7", await response.Content.ReadAsStringAsync());
    }

    private Task<WebApplication> StartAsync(bool requestProblems, bool snakeCase, string environment = "Production") =>
        TestApp.StartAsync(
            db.ConnectionString,
            app =>
            {
                app.MapPost("/notes", async (NoteIn note, Db plain, CancellationToken ct) =>
                    $"{await plain.ValueAsync<string>("SELECT $1", ct, note.Title)} {note.Priority} {note.AuthorId}");
                app.MapGet("/notes/{noteId}", (int noteId) => noteId);
                app.MapGet("/notes", (int? minPriority) => minPriority);
            },
            configure: builder =>
            {
                builder.Services.AddValidation();
                if (snakeCase)
                {
                    builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
                }

                if (requestProblems)
                {
                    builder.Services.AddRequestProblems();
                }
            },
            environment: environment);

    private static HttpRequestMessage Request(string method, string url, string? body) =>
        new(new HttpMethod(method), url) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };

    private static async Task<JsonObject> SendAsync(WebApplication app, string method, string url, string? body, HttpStatusCode status)
    {
        using var response = await app.GetTestClient().SendAsync(Request(method, url, body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }
}
