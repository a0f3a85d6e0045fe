using System.Net;
using System.Text.Json.Nodes;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

public sealed class ArticleTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Create_Returns201_WithLocation_AndTheSeedsFieldNames()
    {
        var author = await CreateAuthorAsync();

        var response = await _client.PostJsonAsync("/articles", $$"""{"title":"Article A","content":"AAA","author_id":{{author}}}""");

        var article = await response.ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(["id", "author_id", "title", "content", "created_at", "updated_at"], article.Select(p => p.Key));
        Assert.Equal(author, (long)article["author_id"]!);
        Assert.Equal("Article A", (string?)article["title"]);
        Assert.Equal("AAA", (string?)article["content"]); // the seed stored the title here
        Assert.Equal($"/articles/{article["id"]}", response.Headers.Location?.OriginalString);
        var again = await (await _client.GetAsync(response.Headers.Location)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(article.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public async Task Create_UnknownAuthor_Is404_NamingTheAuthor()
    {
        var problem = await (await _client.PostJsonAsync("/articles", """{"title":"T","content":"C","author_id":424242}""")).ReadProblemAsync(404);
        Assert.Equal("Author 424242 does not exist", (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("""{"title":"","content":"C","author_id":1}""", "title")]
    [InlineData("""{"title":"1234567890123456789012345678901234567890123456789012345678901","content":"C","author_id":1}""", "title")] // 61
    [InlineData("""{"title":"T","content":null,"author_id":1}""", "content")]
    [InlineData("""{"title":"T","content":"C"}""", "author_id")]
    [InlineData("""{"title":"T","content":"C","author_id":"one"}""", "author_id")]
    [InlineData("""{"title":"T","content":"C","author_id":null}""", "author_id")]
    public async Task Create_InvalidField_Is422_NamingTheField(string body, string field)
    {
        await (await _client.PostJsonAsync("/articles", body)).ReadValidationProblemAsync(field);
    }

    [Fact]
    public async Task Get_Missing_Is404_AndMalformedIdIs422()
    {
        var problem = await (await _client.GetAsync("/articles/777777")).ReadProblemAsync(404);
        Assert.Equal("Article 777777 does not exist", (string?)problem["detail"]);
        await (await _client.GetAsync("/articles/1.5")).ReadValidationProblemAsync("id");
    }

    [Fact]
    public async Task List_FiltersByAuthor_20PerPageByDefault_AndPagesByCursor()
    {
        var author = await CreateAuthorAsync();
        var other = await CreateAuthorAsync();
        var created = new List<long>();
        for (var i = 0; i < 23; i++)
        {
            created.Add((long)(await CreateArticleAsync(author, $"Article {i}"))["id"]!);
        }

        await CreateArticleAsync(other, "Not this one");

        var first = await _client.GetAsync($"/articles?author_id={author}&limit=20");
        var firstPage = await first.ReadArrayAsync();
        var next = first.NextLink();
        Assert.NotNull(next);
        Assert.Contains($"author_id={author}", next, StringComparison.Ordinal);
        Assert.Contains("limit=20", next, StringComparison.Ordinal);
        var second = await _client.GetAsync(next);
        var secondPage = await second.ReadArrayAsync();

        Assert.Equal(20, firstPage.Count);
        Assert.Equal(3, secondPage.Count);
        Assert.Null(second.NextLink());
        Assert.Equal(created, firstPage.Concat(secondPage).Select(a => (long)a!["id"]!));
        Assert.All(firstPage.Concat(secondPage), a => Assert.Equal(author, (long)a!["author_id"]!));
        Assert.Equal(20, (await (await _client.GetAsync($"/articles?author_id={author}")).ReadArrayAsync()).Count);
    }

    [Fact]
    public async Task Patch_ChangesOnlyTheFieldsPresent()
    {
        var author = await CreateAuthorAsync();
        var article = await CreateArticleAsync(author, "Before");

        var patched = await (await _client.PatchJsonAsync($"/articles/{article["id"]}", """{"title":"After"}""")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("After", (string?)patched["title"]);
        Assert.Equal((string?)article["content"], (string?)patched["content"]);
        Assert.Equal(author, (long)patched["author_id"]!);
    }

    [Fact]
    public async Task Patch_MovesToAnotherAuthor_ButAnUnknownAuthorIs404()
    {
        var author = await CreateAuthorAsync();
        var other = await CreateAuthorAsync();
        var article = await CreateArticleAsync(author, "Moving");

        var moved = await (await _client.PatchJsonAsync($"/articles/{article["id"]}", $$"""{"author_id":{{other}}}""")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(other, (long)moved["author_id"]!);

        var problem = await (await _client.PatchJsonAsync($"/articles/{article["id"]}", """{"author_id":313131}""")).ReadProblemAsync(404);
        Assert.Equal("Author 313131 does not exist", (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("""{"title":null}""", "title")]
    [InlineData("""{"content":null}""", "content")]
    [InlineData("""{"author_id":null}""", "author_id")]
    public async Task Patch_ExplicitNull_Is422(string body, string field)
    {
        var article = await CreateArticleAsync(await CreateAuthorAsync(), "Nulls");
        await (await _client.PatchJsonAsync($"/articles/{article["id"]}", body)).ReadValidationProblemAsync(field);
    }

    [Fact]
    public async Task Delete_Returns204_ThenTheArticleIsGone()
    {
        var article = await CreateArticleAsync(await CreateAuthorAsync(), "Short-lived");

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/articles/{article["id"]}")).StatusCode);

        await (await _client.GetAsync($"/articles/{article["id"]}")).ReadProblemAsync(404);
        var problem = await (await _client.DeleteAsync($"/articles/{article["id"]}")).ReadProblemAsync(404);
        Assert.Equal($"Article {article["id"]} does not exist", (string?)problem["detail"]);
    }

    private async Task<long> CreateAuthorAsync() =>
        (long)(await (await _client.PostJsonAsync("/authors", """{"first_name":"Jean","last_name":"Bob"}""")).ReadObjectAsync(HttpStatusCode.Created))["id"]!;

    private async Task<JsonObject> CreateArticleAsync(long author, string title) =>
        await (await _client.PostJsonAsync("/articles", $$"""{"author_id":{{author}},"title":"{{title}}","content":"Text of {{title}}"}""")).ReadObjectAsync(HttpStatusCode.Created);
}
