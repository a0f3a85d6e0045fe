using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class OpenApiTests
{
    [Fact]
    public async Task DbAndAtomic_AreServices_NotRequestParameters()
    {
        // The document is generated without touching the database, so no test database is needed.
        await using var app = await TestApp.StartAsync("Host=127.0.0.1;Port=1;Username=nobody;Database=none", app =>
        {
            app.MapOpenApi();
            app.MapGet("/authors/{id:int}", (int id, Db db) => id);
            app.MapPost("/articles", (ArticleIn article, Atomic atomic) => article.Title);
            app.MapGet("/reports", ([FromKeyedServices("reporting")] Db reporting, [FromKeyedServices("reporting")] Atomic atomic) => "ok");
            app.MapGroup("/tx").WithAtomic().MapPut("/articles/{id:int}", (int id, ArticleIn article, Db db) => id);
        }, pg => pg.Services.AddPostgres("reporting", o => o.ConnectionString = "Host=127.0.0.1;Port=1"),
        configure: builder => builder.Services.AddOpenApi());

        var document = await app.GetTestClient().GetStringAsync("/openapi/v1.json");
        using var json = JsonDocument.Parse(document);
        var paths = json.RootElement.GetProperty("paths");

        Assert.Equal(["id"], Parameters(paths.GetProperty("/authors/{id}").GetProperty("get")));
        Assert.Empty(Parameters(paths.GetProperty("/articles").GetProperty("post")));
        Assert.Empty(Parameters(paths.GetProperty("/reports").GetProperty("get")));
        Assert.Equal(["id"], Parameters(paths.GetProperty("/tx/articles/{id}").GetProperty("put")));
        var body = paths.GetProperty("/articles").GetProperty("post").GetProperty("requestBody").GetRawText();
        Assert.Contains("ArticleIn", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Db\"", document, StringComparison.Ordinal);
        Assert.DoesNotContain("Atomic", document, StringComparison.Ordinal);
        Assert.DoesNotContain("NpgsqlConnection", document, StringComparison.Ordinal);
    }

    private static string[] Parameters(JsonElement operation) =>
        operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToArray()
            : [];
}
