using System.Net;
using System.Text.Json;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

public sealed class OpenApiTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    // Every endpoint of the app with the statuses its document must announce.
    private static readonly Dictionary<string, int[]> Expected = new(StringComparer.Ordinal)
    {
        ["GET /healthz"] = [200, 503],
        ["GET /livez"] = [200],
        ["GET /authors"] = [200, 422],
        ["POST /authors"] = [201, 422],
        ["GET /authors/{id}"] = [200, 404, 422],
        ["PATCH /authors/{id}"] = [200, 404, 422],
        ["DELETE /authors/{id}"] = [204, 404, 422],
        ["GET /articles"] = [200, 422],
        ["POST /articles"] = [201, 404, 422],
        ["GET /articles/{id}"] = [200, 404, 422],
        ["PATCH /articles/{id}"] = [200, 404, 422],
        ["DELETE /articles/{id}"] = [204, 404, 422],
        ["POST /v1/coupons"] = [201, 409, 422],
        ["GET /v1/coupons/{id}"] = [200, 404, 422],
        ["POST /v1/coupons/{id}/redeem"] = [200, 404, 409, 422],
        ["GET /items"] = [200, 422],
        ["POST /items"] = [201, 409, 422],
        ["GET /items/{id}"] = [200, 404, 422],
        ["PUT /items/{id}"] = [200, 404, 409, 422],
        ["PATCH /items/{id}"] = [200, 404, 409, 422],
        ["DELETE /items/{id}"] = [204, 404, 422],
    };

    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task TheDocument_ListsEveryEndpoint_WithItsErrorStatuses_AsProblemDetails()
    {
        using var document = await ReadDocumentAsync();

        var operations = Operations(document.RootElement).ToDictionary(o => o.Key, o => o.Operation, StringComparer.Ordinal);

        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), operations.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, statuses) in Expected)
        {
            var responses = operations[key].GetProperty("responses");
            Assert.True(
                statuses.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).SequenceEqual(responses.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal)),
                $"{key}: {responses.GetRawText()}");
            foreach (var error in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                Assert.True(error.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{key} {error.Name} is not ProblemDetails");
            }
        }
    }

    [Fact]
    public async Task DbAndAtomic_AreNeverParameters()
    {
        using var document = await ReadDocumentAsync();
        var text = document.RootElement.GetRawText();

        foreach (var (key, operation) in Operations(document.RootElement))
        {
            var names = operation.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList()
                : [];
            Assert.DoesNotContain(names, n => n.Equals("db", StringComparison.OrdinalIgnoreCase) || n.Equals("atomic", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(names, n => n.Contains("cancellation", StringComparison.OrdinalIgnoreCase));
            Assert.All(names, n => Assert.Equal(n.ToLowerInvariant(), n)); // snake_case query names: author_id, limit, cursor
            _ = key;
        }

        Assert.DoesNotContain("Atomic", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Db\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("NpgsqlConnection", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schemas_UseTheWireNames_AndTheTablesLimits()
    {
        using var document = await ReadDocumentAsync();
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var authorIn = schemas.GetProperty("AuthorIn");
        Assert.Equal(["first_name", "last_name"], authorIn.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(25, authorIn.GetProperty("properties").GetProperty("first_name").GetProperty("maxLength").GetInt32());
        Assert.Equal(["author_id", "title", "content"], schemas.GetProperty("ArticleIn").GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["code", "init_count", "remaining_count"], schemas.GetProperty("CouponIn").GetProperty("properties").EnumerateObject().Select(p => p.Name));

        // Every text field shows its limit (Migrations/0006_bound_text_lengths.sql), in the PATCH bodies too.
        Assert.Equal(20_000, schemas.GetProperty("ArticleIn").GetProperty("properties").GetProperty("content").GetProperty("maxLength").GetInt32());
        Assert.Equal(1_000, schemas.GetProperty("ItemIn").GetProperty("properties").GetProperty("description").GetProperty("maxLength").GetInt32());
        Assert.Equal(20_000, schemas.GetProperty("ArticlePatch").GetProperty("properties").GetProperty("content").GetProperty("maxLength").GetInt32());
        Assert.Equal(1_000, schemas.GetProperty("ItemPatch").GetProperty("properties").GetProperty("description").GetProperty("maxLength").GetInt32());
        Assert.Equal(60, schemas.GetProperty("ArticlePatch").GetProperty("properties").GetProperty("title").GetProperty("maxLength").GetInt32());

        // PATCH bodies: every field optional; Optional<T> shows as T, nullable only where null is allowed.
        var itemPatch = schemas.GetProperty("ItemPatch");
        Assert.False(itemPatch.TryGetProperty("required", out _));
        Assert.Equal("string", itemPatch.GetProperty("properties").GetProperty("name").GetProperty("type").GetString());
        Assert.Equal(["null", "string"], itemPatch.GetProperty("properties").GetProperty("description").GetProperty("type").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("boolean", itemPatch.GetProperty("properties").GetProperty("is_active").GetProperty("type").GetString());
    }

    [Fact]
    public async Task SwaggerUi_IsServedAtDocs()
    {
        var response = await _client.GetAsync("/docs/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var config = await _client.GetStringAsync("/docs/index.js");
        Assert.Contains("/openapi/v1.json", config, StringComparison.Ordinal);
    }

    private async Task<JsonDocument> ReadDocumentAsync()
    {
        var response = await _client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<(string Key, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        select (operation.Name.ToUpperInvariant() + " " + path.Name, operation.Value);
}
