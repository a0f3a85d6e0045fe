using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

/// <summary>Errors that no handler writes are ProblemDetails too.</summary>
public sealed class ProblemDetailsTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task UnknownRoute_Is404ProblemDetails()
    {
        await (await _client.GetAsync("/no/such/route")).ReadProblemAsync(404);
    }

    [Fact]
    public async Task WrongMethod_Is405ProblemDetails()
    {
        await (await _client.PutAsync("/authors", Http.Json("{}"))).ReadProblemAsync(405);
    }

    [Fact]
    public async Task NotJson_Is415ProblemDetails()
    {
        await (await _client.PostAsync("/authors", new StringContent("first_name=Jean"))).ReadProblemAsync(415);
    }

    [Fact]
    public async Task NoBody_Is422NamingTheBody()
    {
        await (await _client.PostAsync("/items", Http.Json(""))).ReadValidationProblemAsync("body");
    }
}
