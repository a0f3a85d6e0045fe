using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PgKit.Testing;

namespace ReferenceApp.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_IsHealthy_WhenTheDatabaseAnswers()
    {
        await using var factory = await FactoryAsync(database: null);
        var response = await factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_IsUnavailable_AndLivezHealthy_WhenTheDatabaseIsGone()
    {
        var server = await TestPostgres.SharedAsync();
        var name = "refapp_health_" + Guid.NewGuid().ToString("N")[..8];
        await server.CreateDatabaseAsync(name);
        await using var factory = await FactoryAsync(name);
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        await server.DropDatabaseAsync(name);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/livez")).StatusCode);
    }

    private static async Task<WebApplicationFactory<Program>> FactoryAsync(string? database)
    {
        var server = await TestPostgres.SharedAsync();
        var connectionString = database is null ? server.ConnectionString : server.GetConnectionString(database);
        return new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("ConnectionStrings:Postgres", connectionString);
        });
    }
}
