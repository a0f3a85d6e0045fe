using System.Net;
using System.Text.Json.Nodes;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

public sealed class ItemTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Create_Returns201_WithTheDatabaseDefaults()
    {
        var response = await _client.PostJsonAsync("/items/", """{"name":"Test Item"}""");

        var item = await response.ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(["id", "name", "description", "is_active", "created_timestamp"], item.Select(p => p.Key));
        Assert.Equal("Test Item", (string?)item["name"]);
        Assert.Null(item["description"]);
        Assert.True((bool)item["is_active"]!);
        Assert.InRange(DateTimeOffset.Parse((string)item["created_timestamp"]!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal($"/items/{item["id"]}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Create_DuplicateName_Is409()
    {
        await CreateAsync("Unique");
        var problem = await (await _client.PostJsonAsync("/items", """{"name":"Unique"}""")).ReadProblemAsync(409);
        Assert.Equal("item_name_uix", (string?)problem["constraint"]);
    }

    [Theory]
    [InlineData("""{"name":"N","is_active":null}""", "is_active")] // the seed answered 400 "Item with given name already exists."
    [InlineData("""{"name":null}""", "name")]
    [InlineData("""{"description":"no name"}""", "name")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"12345678901234567890123456789012345678901234567890123456789012345"}""", "name")] // 65: the seed's 500
    [InlineData("""{"name":"N","is_active":"yes"}""", "is_active")]
    public async Task Create_InvalidField_Is422_NamingTheField(string body, string field)
    {
        await (await _client.PostJsonAsync("/items", body)).ReadValidationProblemAsync(field);
    }

    [Fact]
    public async Task Get_Missing_Is404_AndMalformedIdIs422()
    {
        var problem = await (await _client.GetAsync("/items/555555")).ReadProblemAsync(404);
        Assert.Equal("Item 555555 does not exist", (string?)problem["detail"]);
        await (await _client.GetAsync("/items/x")).ReadValidationProblemAsync("id");
    }

    [Fact]
    public async Task Put_IsAFullUpdate_AbsentFieldsTakeTheirDefaults()
    {
        var item = await CreateAsync("Put me", """ "description":"old","is_active":false """);

        var replaced = await (await _client.PutJsonAsync($"/items/{item["id"]}", """{"name":"Put you"}""")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("Put you", (string?)replaced["name"]);
        Assert.Null(replaced["description"]);
        Assert.True((bool)replaced["is_active"]!);
        Assert.Equal((string?)item["created_timestamp"], (string?)replaced["created_timestamp"]);
    }

    [Fact]
    public async Task Put_Errors_404_409_422()
    {
        var item = await CreateAsync("Put target");
        await CreateAsync("Taken");

        var missing = await (await _client.PutJsonAsync("/items/555555", """{"name":"X"}""")).ReadProblemAsync(404);
        Assert.Equal("Item 555555 does not exist", (string?)missing["detail"]);
        await (await _client.PutJsonAsync($"/items/{item["id"]}", """{"name":"Taken"}""")).ReadProblemAsync(409);
        await (await _client.PutJsonAsync($"/items/{item["id"]}", """{"description":"no name"}""")).ReadValidationProblemAsync("name");
    }

    [Fact]
    public async Task Patch_ChangesOnlyTheFieldsPresent_AndAnExplicitNullClearsTheDescription()
    {
        var item = await CreateAsync("Patch me", """ "description":"keep","is_active":false """);

        var renamed = await (await _client.PatchJsonAsync($"/items/{item["id"]}", """{"name":"Patched"}""")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("Patched", (string?)renamed["name"]);
        Assert.Equal("keep", (string?)renamed["description"]);
        Assert.False((bool)renamed["is_active"]!);

        var cleared = await (await _client.PatchJsonAsync($"/items/{item["id"]}", """{"description":null}""")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Null(cleared["description"]);
        Assert.Equal("Patched", (string?)cleared["name"]);
    }

    [Theory]
    [InlineData("""{"is_active":null}""", "is_active")]
    [InlineData("""{"name":null}""", "name")]
    [InlineData("""{"name":""}""", "name")]
    public async Task Patch_InvalidField_Is422(string body, string field)
    {
        var item = await CreateAsync("Patch " + field + body.Length);
        await (await _client.PatchJsonAsync($"/items/{item["id"]}", body)).ReadValidationProblemAsync(field);
    }

    [Fact]
    public async Task Patch_Errors_404_409()
    {
        var item = await CreateAsync("Patch target");
        await CreateAsync("Also taken");

        await (await _client.PatchJsonAsync("/items/555555", """{"name":"X"}""")).ReadProblemAsync(404);
        await (await _client.PatchJsonAsync($"/items/{item["id"]}", """{"name":"Also taken"}""")).ReadProblemAsync(409);
    }

    [Fact]
    public async Task Delete_Returns204_NotTheSeedsBody_ThenTheItemIsGone()
    {
        var item = await CreateAsync("Delete me");

        var response = await _client.DeleteAsync($"/items/{item["id"]}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await (await _client.GetAsync($"/items/{item["id"]}")).ReadProblemAsync(404);
        await (await _client.DeleteAsync($"/items/{item["id"]}")).ReadProblemAsync(404);
    }

    [Fact]
    public async Task List_ReturnsAnArray_InIdOrder()
    {
        var a = await CreateAsync("List A");
        var b = await CreateAsync("List B");

        var ids = (await (await _client.GetAsync("/items?limit=100")).ReadArrayAsync()).Select(i => (long)i!["id"]!).ToList();

        Assert.Equal(ids.Order(), ids);
        Assert.Contains((long)a["id"]!, ids);
        Assert.Contains((long)b["id"]!, ids);
    }

    private async Task<JsonObject> CreateAsync(string name, string? moreFields = null) =>
        await (await _client.PostJsonAsync("/items", $$"""{"name":"{{name}}"{{(moreFields is null ? "" : "," + moreFields)}}}""")).ReadObjectAsync(HttpStatusCode.Created);
}
