using System.Net;
using System.Text.Json.Nodes;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

public sealed class AuthorTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Create_Returns201_WithLocation_AndTheSeedsSnakeCaseFields()
    {
        var response = await _client.PostJsonAsync("/authors", """{"first_name":"Jean","last_name":"Bob"}""");

        var author = await response.ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(["id", "first_name", "last_name", "created_at", "updated_at"], author.Select(p => p.Key));
        Assert.Equal("Jean", (string?)author["first_name"]);
        Assert.Equal("Bob", (string?)author["last_name"]);
        Assert.Equal((string?)author["created_at"], (string?)author["updated_at"]);
        Assert.Equal($"/authors/{author["id"]}", response.Headers.Location?.OriginalString);

        var again = await (await _client.GetAsync(response.Headers.Location)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(author.ToJsonString(), again.ToJsonString());
    }

    [Theory]
    [InlineData("""{"first_name":"abcdefghijklmnopqrstuvwxyz","last_name":"Bob"}""", "first_name")] // 26 characters
    [InlineData("""{"first_name":"Jean","last_name":""}""", "last_name")]
    [InlineData("""{"first_name":null,"last_name":"Bob"}""", "first_name")]
    [InlineData("""{"last_name":"Bob"}""", "first_name")]
    [InlineData("""{"first_name":42,"last_name":"Bob"}""", "first_name")]
    [InlineData("""{"first_name":"Jean","last_name":"Bo\u0000b"}""", "last_name")]
    public async Task Create_InvalidField_Is422_NamingTheField(string body, string field)
    {
        var errors = await (await _client.PostJsonAsync("/authors", body)).ReadValidationProblemAsync(field);
        Assert.Contains(field, (string?)errors[field]![0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_BothNamesTooLong_NamesBothFields()
    {
        var name = new string('x', 26);
        await (await _client.PostJsonAsync("/authors", $$"""{"first_name":"{{name}}","last_name":"{{name}}"}""")).ReadValidationProblemAsync("first_name", "last_name");
    }

    [Fact]
    public async Task Create_LengthIsCountedInCharacters_AsTheDatabaseCounts()
    {
        // 25 characters, 26 UTF-16 units: the table's char_length CHECK accepts it, so the API must too.
        var name = new string('a', 24) + "😀";
        var author = await (await _client.PostJsonAsync("/authors", $$"""{"first_name":"{{name}}","last_name":"Smith"}""")).ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(name, (string?)author["first_name"]);
    }

    [Theory]
    [InlineData("""{"first_name":"Jean",""")]
    [InlineData("not json")]
    public async Task Create_MalformedJson_Is422(string body)
    {
        await (await _client.PostJsonAsync("/authors", body)).ReadValidationProblemAsync("body");
    }

    [Fact]
    public async Task Get_Missing_Is404_WithTheExactMessage()
    {
        var problem = await (await _client.GetAsync("/authors/987654")).ReadProblemAsync(404);
        Assert.Equal("Author 987654 does not exist", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Get_MalformedId_Is422_NamingTheId()
    {
        await (await _client.GetAsync("/authors/abc")).ReadValidationProblemAsync("id");
    }

    [Fact]
    public async Task Patch_ChangesOnlyTheFieldsPresent_AndTheDatabaseMovesUpdatedAt()
    {
        var created = await CreateAsync("Ann", "Lee");

        var patched = await (await _client.PatchJsonAsync($"/authors/{created["id"]}", """{"last_name":"Smith"}""")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("Ann", (string?)patched["first_name"]);
        Assert.Equal("Smith", (string?)patched["last_name"]);
        Assert.Equal((string?)created["created_at"], (string?)patched["created_at"]);
        Assert.True(DateTimeOffset.Parse((string)patched["updated_at"]!, System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse((string)created["updated_at"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Patch_EmptyBody_ChangesNothing()
    {
        var created = await CreateAsync("Ann", "Lee");
        var same = await (await _client.PatchJsonAsync($"/authors/{created["id"]}", "{}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(created.ToJsonString(), same.ToJsonString());
    }

    [Theory]
    [InlineData("""{"first_name":null}""", "first_name")]
    [InlineData("""{"last_name":""}""", "last_name")]
    [InlineData("""{"first_name":"abcdefghijklmnopqrstuvwxyz"}""", "first_name")]
    [InlineData("""{"first_name":true}""", "first_name")]
    public async Task Patch_InvalidField_Is422(string body, string field)
    {
        var created = await CreateAsync("Ann", "Lee");
        await (await _client.PatchJsonAsync($"/authors/{created["id"]}", body)).ReadValidationProblemAsync(field);
        var unchanged = await (await _client.GetAsync($"/authors/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(created.ToJsonString(), unchanged.ToJsonString());
    }

    [Fact]
    public async Task Patch_Missing_Is404()
    {
        var problem = await (await _client.PatchJsonAsync("/authors/987654", """{"first_name":"X"}""")).ReadProblemAsync(404);
        Assert.Equal("Author 987654 does not exist", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Delete_Returns204_AndTheDatabaseCascadesToTheAuthorsArticles()
    {
        var author = await CreateAsync("Jean", "Bob");
        var other = await CreateAsync("Martin", "Luc");
        foreach (var owner in new[] { author, author, other })
        {
            var created = await _client.PostJsonAsync("/articles", $$"""{"author_id":{{owner["id"]}},"title":"T","content":"C"}""");
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var response = await _client.DeleteAsync($"/authors/{author["id"]}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await (await _client.GetAsync($"/authors/{author["id"]}")).ReadProblemAsync(404);
        Assert.Empty(await (await _client.GetAsync($"/articles?author_id={author["id"]}")).ReadArrayAsync());
        Assert.Single(await (await _client.GetAsync($"/articles?author_id={other["id"]}")).ReadArrayAsync());
    }

    [Fact]
    public async Task Delete_Missing_Is404()
    {
        var problem = await (await _client.DeleteAsync("/authors/987654")).ReadProblemAsync(404);
        Assert.Equal("Author 987654 does not exist", (string?)problem["detail"]);
    }

    [Fact]
    public async Task List_PagesByCursor_InIdOrder_BothWays()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((long)(await CreateAsync("Page", $"Author{i}"))["id"]!);
        }

        var ascending = await ReadAllAsync("/authors?limit=2");
        var descending = await ReadAllAsync("/authors?limit=2&order=desc");

        // Other tests of this class add authors too: check order and that every new one is there exactly once.
        Assert.Equal(ascending.Order(), ascending);
        Assert.Equal(ascending.Distinct(), ascending);
        Assert.Subset(ascending.ToHashSet(), ids.ToHashSet());
        Assert.Equal(ascending.AsEnumerable().Reverse(), descending);
    }

    [Fact]
    public async Task List_DefaultsTo20_AndFollowsTheCursor()
    {
        for (var i = 0; i < 21; i++)
        {
            await CreateAsync("Many", $"Author{i}");
        }

        var first = await _client.GetAsync("/authors");
        Assert.Equal(20, (await first.ReadArrayAsync()).Count);
        var next = first.NextLink();
        Assert.NotNull(next);
        Assert.StartsWith("/authors?cursor=", next, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/authors?limit=0", "limit")]
    [InlineData("/authors?limit=101", "limit")]
    [InlineData("/authors?limit=ten", "limit")]
    [InlineData("/authors?cursor=x", "cursor")]
    [InlineData("/authors?order=up", "order")]
    public async Task List_BadParameter_Is422(string url, string field)
    {
        await (await _client.GetAsync(url)).ReadValidationProblemAsync(field);
    }

    private async Task<JsonObject> CreateAsync(string firstName, string lastName) =>
        await (await _client.PostJsonAsync("/authors", $$"""{"first_name":"{{firstName}}","last_name":"{{lastName}}"}""")).ReadObjectAsync(HttpStatusCode.Created);

    private async Task<List<long>> ReadAllAsync(string url)
    {
        var ids = new List<long>();
        for (string? next = url; next is not null;)
        {
            var response = await _client.GetAsync(next);
            var page = await response.ReadArrayAsync();
            Assert.InRange(page.Count, 1, 2);
            ids.AddRange(page.Select(a => (long)a!["id"]!));
            next = response.NextLink();
        }

        return ids;
    }
}
