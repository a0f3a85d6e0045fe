using System.Net;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

public sealed class HealthTests(ReferenceAppFactory app) : IClassFixture<ReferenceAppFactory>
{
    [Fact]
    public async Task Healthz_IsHealthy_WhenTheDatabaseAnswers()
    {
        var response = await app.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_IsUnavailable_AndLivezHealthy_WhenTheDatabaseIsGone()
    {
        // Its own app and database: this one is dropped under the running app.
        var doomed = new ReferenceAppFactory();
        await ((IAsyncLifetime)doomed).InitializeAsync();
        try
        {
            var client = doomed.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

            await doomed.DropDatabaseAsync();

            var problem = await (await client.GetAsync("/healthz")).ReadProblemAsync(503);
            Assert.StartsWith("Unhealthy", (string?)problem["detail"], StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/livez")).StatusCode);
        }
        finally
        {
            await ((IAsyncLifetime)doomed).DisposeAsync();
        }
    }
}
