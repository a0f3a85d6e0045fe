using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgKit.AspNetCore;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

public sealed class HealthTests(ReferenceAppFactory app, ITestOutputHelper output) : IClassFixture<ReferenceAppFactory>
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

    [Fact]
    public async Task Healthz_AnswersWithinItsTimeout_503WithRetryAfter_WhileThePoolIsExhausted_ThenHealthyAgain()
    {
        // Its own app, with a pool of 2: both connections are held open, as two long requests would hold them.
        var small = new SmallPoolReferenceAppFactory();
        await ((IAsyncLifetime)small).InitializeAsync();
        try
        {
            var client = small.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            var dataSource = small.Services.GetRequiredService<NpgsqlDataSource>();
            var held = new List<NpgsqlConnection>();
            for (var i = 0; i < SmallPoolReferenceAppFactory.MaxPoolSize; i++)
            {
                held.Add(await dataSource.OpenConnectionAsync());
            }

            HttpResponseMessage exhausted;
            var started = Stopwatch.GetTimestamp();
            try
            {
                exhausted = await client.GetAsync("/healthz");
            }
            finally
            {
                foreach (var connection in held)
                {
                    await connection.DisposeAsync();
                }
            }

            // The health-check timeout is 1 s by default; a request would wait the 5 s AcquireTimeout for a connection.
            var elapsed = Stopwatch.GetElapsedTime(started);
            output.WriteLine($"/healthz with the pool exhausted: {(int)exhausted.StatusCode} in {elapsed.TotalMilliseconds:0} ms");
            Assert.True(elapsed < TimeSpan.FromSeconds(3), $"/healthz took {elapsed.TotalMilliseconds:0} ms with the pool exhausted");
            var problem = await exhausted.ReadProblemAsync(503);
            Assert.StartsWith("Unhealthy", (string?)problem["detail"], StringComparison.Ordinal);
            Assert.True(exhausted.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {exhausted.Headers.RetryAfter}");
            Assert.Contains("no-store", exhausted.Headers.CacheControl?.ToString(), StringComparison.Ordinal);

            var healthy = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Null(healthy.Headers.RetryAfter);
        }
        finally
        {
            await ((IAsyncLifetime)small).DisposeAsync();
        }
    }

    private sealed class SmallPoolReferenceAppFactory : ReferenceAppFactory
    {
        public const int MaxPoolSize = 2;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.PostConfigure<PostgresOptions>(PostgresOptions.DefaultName, options =>
                options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { MaxPoolSize = MaxPoolSize }.ConnectionString));
        }
    }
}
