using System.Net;
using System.Text.Json.Nodes;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

public sealed class CouponTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Create_Returns201_WithLocation_AndRemainingCountStartsAtInitCount()
    {
        // The seed's test case, byte for byte, including its trailing slash.
        var response = await _client.PostJsonAsync("/v1/coupons/", """{"code":"PIOTR","init_count":100}""");

        var coupon = await response.ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(["id", "code", "init_count", "remaining_count"], coupon.Select(p => p.Key));
        Assert.True(Guid.TryParse((string?)coupon["id"], out _));
        Assert.Equal("PIOTR", (string?)coupon["code"]);
        Assert.Equal(100, (int)coupon["init_count"]!);
        Assert.Equal(100, (int)coupon["remaining_count"]!);
        Assert.Equal($"/v1/coupons/{coupon["id"]}", response.Headers.Location?.OriginalString);
        var again = await (await _client.GetAsync(response.Headers.Location)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(coupon.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public async Task Create_KeepsAnExplicitRemainingCount_EvenZero()
    {
        // The seed replaced an explicit 0 by init_count (a falsy-zero bug).
        var coupon = await (await _client.PostJsonAsync("/v1/coupons", """{"code":"ZERO","init_count":5,"remaining_count":0}""")).ReadObjectAsync(HttpStatusCode.Created);
        Assert.Equal(0, (int)coupon["remaining_count"]!);
    }

    [Fact]
    public async Task Create_DuplicateCode_Is409_NotTheSeeds500()
    {
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync("/v1/coupons", """{"code":"TWICE","init_count":1}""")).StatusCode);

        var problem = await (await _client.PostJsonAsync("/v1/coupons", """{"code":"TWICE","init_count":2}""")).ReadProblemAsync(409);

        Assert.Equal("coupon_code_key", (string?)problem["constraint"]);
        Assert.Equal("23505", (string?)problem["sql_state"]); // PgKit's sqlState, in the wire's snake_case
        Assert.False(problem.ContainsKey("database_detail"), "Production bodies never echo the row's values.");
    }

    [Theory]
    [InlineData("""{"code":"A","init_count":0}""", "init_count")]
    [InlineData("""{"code":"A","init_count":-3}""", "init_count")]
    [InlineData("""{"code":"A"}""", "init_count")]
    [InlineData("""{"code":"A","init_count":"10"}""", "init_count")]
    [InlineData("""{"code":"A","init_count":2,"remaining_count":3}""", "remaining_count")]
    [InlineData("""{"code":"A","init_count":2,"remaining_count":-1}""", "remaining_count")]
    [InlineData("""{"code":"","init_count":2}""", "code")]
    [InlineData("""{"code":null,"init_count":2}""", "code")]
    [InlineData("""{"init_count":2}""", "code")]
    public async Task Create_InvalidField_Is422_NamingTheField(string body, string field)
    {
        await (await _client.PostJsonAsync("/v1/coupons", body)).ReadValidationProblemAsync(field);
    }

    [Fact]
    public async Task Get_Missing_Is404_NotTheSeeds500()
    {
        var id = Guid.NewGuid();
        var problem = await (await _client.GetAsync($"/v1/coupons/{id}")).ReadProblemAsync(404);
        Assert.Equal($"Coupon {id} does not exist", (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("/v1/coupons/not-a-uuid")]
    [InlineData("/v1/coupons/42")]
    public async Task Get_MalformedId_Is422(string url)
    {
        await (await _client.GetAsync(url)).ReadValidationProblemAsync("id");
    }

    [Fact]
    public async Task Redeem_Decrements_ThenAnExhaustedCouponIs409()
    {
        var coupon = await CreateAsync("TWO-USES", 2);
        var url = $"/v1/coupons/{coupon["id"]}/redeem";

        Assert.Equal(1, (int)(await (await _client.PostAsync(url, null)).ReadObjectAsync(HttpStatusCode.OK))["remaining_count"]!);
        Assert.Equal(0, (int)(await (await _client.PostAsync(url, null)).ReadObjectAsync(HttpStatusCode.OK))["remaining_count"]!);
        var problem = await (await _client.PostAsync(url, null)).ReadProblemAsync(409);

        Assert.Equal($"Coupon {coupon["id"]} has no redemptions left", (string?)problem["detail"]);
        Assert.Equal(0, (int)(await (await _client.GetAsync($"/v1/coupons/{coupon["id"]}")).ReadObjectAsync(HttpStatusCode.OK))["remaining_count"]!);
    }

    [Fact]
    public async Task Redeem_Missing_Is404_AndMalformedIdIs422()
    {
        var id = Guid.NewGuid();
        var problem = await (await _client.PostAsync($"/v1/coupons/{id}/redeem", null)).ReadProblemAsync(404);
        Assert.Equal($"Coupon {id} does not exist", (string?)problem["detail"]);
        await (await _client.PostAsync("/v1/coupons/nope/redeem", null)).ReadValidationProblemAsync("id");
    }

    [Fact]
    public async Task Redeem_50ConcurrentRedeemersOf10Uses_Exactly10Succeed_AndTheCountStopsAtZero()
    {
        var coupon = await CreateAsync("RUSH", 10);
        var url = $"/v1/coupons/{coupon["id"]}/redeem";
        using var start = new SemaphoreSlim(0);

        var redeemers = Enumerable.Range(0, 50).Select(async _ =>
        {
            await start.WaitAsync();
            using var response = await _client.PostAsync(url, null);
            return response.StatusCode;
        }).ToList();
        start.Release(50);
        var statuses = await Task.WhenAll(redeemers);

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.Conflict));
        var final = await (await _client.GetAsync($"/v1/coupons/{coupon["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(0, (int)final["remaining_count"]!);
    }

    private async Task<JsonObject> CreateAsync(string code, int uses) =>
        await (await _client.PostJsonAsync("/v1/coupons", $$"""{"code":"{{code}}","init_count":{{uses}}}""")).ReadObjectAsync(HttpStatusCode.Created);
}
