using System.Globalization;
using System.Net;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

/// <summary>
/// Ids and numbers in the path or query are plain digits, UUIDs their canonical 8-4-4-4-12 text: a lenient parse
/// (<c>+1</c>, <c>%201</c>, a padded or braced UUID) is a 422 naming the field, like any other malformed value.
/// </summary>
public sealed class StrictParameterTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData("/authors/{0}", "+{0}")]
    [InlineData("/authors/{0}", "%20{0}")]
    [InlineData("/authors/{0}", "{0}%20")]
    [InlineData("/authors/{0}", "-0")]
    [InlineData("/articles/{0}", "+{0}")]
    [InlineData("/items/{0}", "%20{0}")]
    public async Task LenientIntegerId_Is422_NamingTheId(string template, string idTemplate)
    {
        var author = await CreateAuthorAsync(); // exists: a lenient parse would answer 200 (or 404 for the others)
        var url = string.Format(CultureInfo.InvariantCulture, template, string.Format(CultureInfo.InvariantCulture, idTemplate, author));

        await (await _client.GetAsync(url)).ReadValidationProblemAsync("id");
        await (await _client.DeleteAsync(url)).ReadValidationProblemAsync("id");
        await (await _client.GetAsync($"/authors/{author}")).ReadObjectAsync(HttpStatusCode.OK); // not deleted
    }

    [Theory]
    [InlineData("%20{0}%20")]
    [InlineData("%20{0}")]
    [InlineData("{{{0}}}")]
    [InlineData("({0})")]
    [InlineData("{0:N}")]
    public async Task LenientUuid_Is422_NamingTheId(string idTemplate)
    {
        var coupon = await (await _client.PostJsonAsync("/v1/coupons", $$"""{"code":"STRICT-{{Guid.NewGuid():N}}","init_count":5}""")).ReadObjectAsync(HttpStatusCode.Created);
        var id = Guid.Parse((string)coupon["id"]!);
        var text = string.Format(CultureInfo.InvariantCulture, idTemplate, id);

        await (await _client.GetAsync($"/v1/coupons/{text}")).ReadValidationProblemAsync("id");
        await (await _client.PostAsync($"/v1/coupons/{text}/redeem", null)).ReadValidationProblemAsync("id");
        var unchanged = await (await _client.GetAsync($"/v1/coupons/{id}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(5, (int)unchanged["remaining_count"]!);
    }

    [Fact]
    public async Task CanonicalUuid_InEitherCase_IsAccepted()
    {
        var coupon = await (await _client.PostJsonAsync("/v1/coupons", $$"""{"code":"CASE-{{Guid.NewGuid():N}}","init_count":1}""")).ReadObjectAsync(HttpStatusCode.Created);
        var id = (string)coupon["id"]!;

        await (await _client.GetAsync($"/v1/coupons/{id.ToUpperInvariant()}")).ReadObjectAsync(HttpStatusCode.OK);
        await (await _client.GetAsync($"/v1/coupons/{id}")).ReadObjectAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/articles?author_id=%2B1", "author_id")]
    [InlineData("/articles?author_id=%201", "author_id")]
    [InlineData("/authors?limit=%2B5", "limit")]
    [InlineData("/authors?limit=5%20", "limit")]
    [InlineData("/items?cursor=%2B1", "cursor")]
    public async Task LenientQueryNumber_Is422_NamingTheParameter(string url, string field)
    {
        await (await _client.GetAsync(url)).ReadValidationProblemAsync(field);
    }

    private async Task<long> CreateAuthorAsync() =>
        (long)(await (await _client.PostJsonAsync("/authors", """{"first_name":"Jean","last_name":"Bob"}""")).ReadObjectAsync(HttpStatusCode.Created))["id"]!;
}
