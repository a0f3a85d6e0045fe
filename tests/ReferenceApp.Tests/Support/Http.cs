using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ReferenceApp.Tests.Support;

/// <summary>Small helpers to send raw JSON (exactly what a client of the seed apps sends) and read answers as JSON trees.</summary>
public static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json) => client.PostAsync(url, Json(json));

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, string json) => client.PatchAsync(url, Json(json));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, string json) => client.PutAsync(url, Json(json));

    /// <summary>Asserts the status and a JSON object body, and returns the body.</summary>
    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts the status and a JSON array body, and returns the body.</summary>
    public static async Task<JsonArray> ReadArrayAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsArray();
    }

    /// <summary>Asserts an RFC 9457 ProblemDetails answer with <paramref name="status"/> and returns it.</summary>
    public static async Task<JsonObject> ReadProblemAsync(this HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(problem.ContainsKey("exception"), "Production bodies carry no stack trace.");
        Assert.All(problem.Select(p => p.Key), key => Assert.Matches("^[a-z_]+$", key)); // snake_case, trace_id included
        return problem;
    }

    /// <summary>Asserts a 422 ValidationProblem whose errors are exactly <paramref name="fields"/> (snake_case names), and returns the errors.</summary>
    public static async Task<JsonObject> ReadValidationProblemAsync(this HttpResponseMessage response, params string[] fields)
    {
        var problem = await response.ReadProblemAsync(422);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(fields.Order(StringComparer.Ordinal), errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        foreach (var (_, messages) in errors)
        {
            Assert.NotEmpty(messages!.AsArray());
        }

        return errors;
    }

    /// <summary>The URL of the <c>rel="next"</c> link, or <see langword="null"/> on the last page.</summary>
    public static string? NextLink(this HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        var link = Assert.Single(values);
        Assert.EndsWith("; rel=\"next\"", link, StringComparison.Ordinal);
        return link[1..link.IndexOf('>', StringComparison.Ordinal)];
    }
}
