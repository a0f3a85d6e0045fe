using System.Net;
using System.Text.Json.Nodes;
using PgKit;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

/// <summary>
/// Every text field has a bounded length (so is every list page), and names and titles need a visible character:
/// anything else is a 422 naming the field.
/// </summary>
public sealed class InputBoundsTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    // The limits the API documents (Features/*/…Rules.cs and Migrations/0006_bound_text_lengths.sql).
    private const int ContentMaxLength = 20_000;
    private const int DescriptionMaxLength = 1_000;

    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task ArticleContent_AtTheLimit_IsAccepted_CountedInCharacters()
    {
        var author = await CreateAuthorAsync();
        var content = new string('c', ContentMaxLength - 1) + "😀"; // 20,000 characters, 20,001 UTF-16 units

        var article = await (await _client.PostJsonAsync("/articles", Body(author, "Long", content))).ReadObjectAsync(HttpStatusCode.Created);

        Assert.Equal(content, (string?)article["content"]);
    }

    [Fact]
    public async Task ArticleContent_OverTheLimit_Is422_NamingContent_OnCreateAndPatch()
    {
        var author = await CreateAuthorAsync();
        var content = new string('c', ContentMaxLength + 1);

        var errors = await (await _client.PostJsonAsync("/articles", Body(author, "Too long", content))).ReadValidationProblemAsync("content");
        Assert.Contains("20000", (string?)errors["content"]![0], StringComparison.Ordinal);

        var article = await (await _client.PostJsonAsync("/articles", Body(author, "Short", "ok"))).ReadObjectAsync(HttpStatusCode.Created);
        await (await _client.PatchJsonAsync($"/articles/{article["id"]}", new JsonObject { ["content"] = content }.ToJsonString())).ReadValidationProblemAsync("content");
        var unchanged = await (await _client.GetAsync($"/articles/{article["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("ok", (string?)unchanged["content"]);
    }

    [Fact]
    public async Task ItemDescription_OverTheLimit_Is422_NamingDescription_OnCreatePutAndPatch()
    {
        var description = new string('d', DescriptionMaxLength + 1);
        var body = new JsonObject { ["name"] = "Described", ["description"] = description }.ToJsonString();

        await (await _client.PostJsonAsync("/items", body)).ReadValidationProblemAsync("description");

        var item = await (await _client.PostJsonAsync("/items", new JsonObject { ["name"] = "Described", ["description"] = new string('d', DescriptionMaxLength) }.ToJsonString()))
            .ReadObjectAsync(HttpStatusCode.Created);
        await (await _client.PutJsonAsync($"/items/{item["id"]}", body)).ReadValidationProblemAsync("description");
        await (await _client.PatchJsonAsync($"/items/{item["id"]}", new JsonObject { ["description"] = description }.ToJsonString())).ReadValidationProblemAsync("description");
    }

    [Theory]
    [InlineData("/authors", """{"first_name":"   ","last_name":"Bob"}""", "first_name")]
    [InlineData("/authors", """{"first_name":"Jean","last_name":"\t \u00A0"}""", "last_name")]
    [InlineData("/items", """{"name":"  "}""", "name")]
    [InlineData("/v1/coupons", """{"code":" ","init_count":1}""", "code")]
    public async Task WhitespaceOnlyName_Is422_NamingTheField(string url, string body, string field)
    {
        var errors = await (await _client.PostJsonAsync(url, body)).ReadValidationProblemAsync(field);
        Assert.Contains(field, (string?)errors[field]![0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhitespaceOnlyTitle_Is422_OnCreateAndPatch()
    {
        var author = await CreateAuthorAsync();
        await (await _client.PostJsonAsync("/articles", Body(author, "   ", "text"))).ReadValidationProblemAsync("title");

        var article = await (await _client.PostJsonAsync("/articles", Body(author, "Title", "text"))).ReadObjectAsync(HttpStatusCode.Created);
        await (await _client.PatchJsonAsync($"/articles/{article["id"]}", """{"title":" \n "}""")).ReadValidationProblemAsync("title");
        await (await _client.PatchJsonAsync($"/authors/{author}", """{"first_name":"  "}""")).ReadValidationProblemAsync("first_name");
        await (await _client.PatchJsonAsync("/items/1", """{"name":"  "}""")).ReadValidationProblemAsync("name");
    }

    [Fact]
    public async Task NamesWithInnerSpaces_AreStillAccepted()
    {
        var author = await (await _client.PostJsonAsync("/authors", """{"first_name":"Jean Luc","last_name":" de la Fontaine "}""")).ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(" de la Fontaine ", (string?)author["last_name"]);
    }

    [Theory]
    [InlineData("/articles?author_id=1&limit=101")]
    [InlineData("/articles?limit=1000")]
    [InlineData("/items?limit=101")]
    public async Task PageLimit_AboveTheMaximum_Is422(string url)
    {
        var errors = await (await _client.GetAsync(url)).ReadValidationProblemAsync("limit");
        Assert.Contains("100", (string?)errors["limit"]![0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLargestPage_IsBounded()
    {
        // 100 articles at the content limit: the largest page the API can ever answer for one author.
        var author = await CreateAuthorAsync();
        await using (var session = await app.OpenSessionAsync())
        {
            await session.Connection.ExecuteSqlAsync(
                "INSERT INTO article (author_id, title, content) SELECT $1, 'Max ' || i, repeat('x', $2) FROM generate_series(1, 101) AS i",
                [author, ContentMaxLength]);
        }

        var response = await _client.GetAsync($"/articles?author_id={author}&limit=100");
        var page = await response.ReadArrayAsync();

        Assert.Equal(100, page.Count);
        Assert.NotNull(response.NextLink());
        Assert.InRange(response.Content.Headers.ContentLength ?? (await response.Content.ReadAsByteArrayAsync()).Length, 1, 3_000_000);
    }

    private static string Body(long author, string title, string content) =>
        new JsonObject { ["author_id"] = author, ["title"] = title, ["content"] = content }.ToJsonString();

    private async Task<long> CreateAuthorAsync() =>
        (long)(await (await _client.PostJsonAsync("/authors", """{"first_name":"Jean","last_name":"Bob"}""")).ReadObjectAsync(HttpStatusCode.Created))["id"]!;
}
