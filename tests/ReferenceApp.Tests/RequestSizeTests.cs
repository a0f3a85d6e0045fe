using System.Net;
using System.Text.Json.Nodes;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

/// <summary>
/// Request bodies are bounded too, on a real Kestrel server (the in-memory test server enforces no body limit): the
/// largest valid body is read, a body far beyond it is refused with 413 before it is read into memory.
/// </summary>
public sealed class RequestSizeTests(KestrelReferenceAppFactory app) : IClassFixture<KestrelReferenceAppFactory>
{
    private readonly HttpClient _client = new() { BaseAddress = app.BaseAddress };

    [Fact]
    public async Task TheLargestValidBody_IsAccepted()
    {
        var author = await (await _client.PostJsonAsync("/authors", """{"first_name":"Jean","last_name":"Bob"}""")).ReadObjectAsync(HttpStatusCode.Created);

        // 20,000 emoji, each written as two \uXXXX escapes: 240 KB, the longest JSON a valid article can take.
        var body = new JsonObject { ["author_id"] = (long)author["id"]!, ["title"] = "Widest", ["content"] = string.Concat(Enumerable.Repeat("😀", 20_000)) }.ToJsonString();
        Assert.True(body.Length > 240_000);

        await (await _client.PostJsonAsync("/articles", body)).ReadObjectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AHugeBody_Is413_BeforeItIsRead()
    {
        var body = new JsonObject { ["author_id"] = 1, ["title"] = "Huge", ["content"] = new string('x', 4 * 1024 * 1024) }.ToJsonString();

        // Expect: 100-continue, so the client waits for the server's answer before sending the body: the server
        // answers 413 from the Content-Length alone (without it, the client sees the connection close mid-upload).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/articles") { Content = Http.Json(body) };
        request.Headers.ExpectContinue = true;

        var problem = await (await _client.SendAsync(request)).ReadProblemAsync(413);

        Assert.Equal(413, (int)problem["status"]!);
    }
}
