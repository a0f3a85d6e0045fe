using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PgKit.AspNetCore.Tests.Support;

/// <summary>Builds and starts an in-process app (WebApplication on a TestServer) against a test database.</summary>
public static class TestApp
{
    public static async Task<WebApplication> StartAsync(
        string connectionString,
        Action<WebApplication> map,
        Action<IPostgresBuilder>? postgres = null,
        Action<WebApplicationBuilder>? configure = null,
        string environment = "Production",
        LogCapture? logs = null)
    {
        var app = Build(connectionString, map, postgres, configure, environment, logs);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    public static WebApplication Build(
        string? connectionString,
        Action<WebApplication> map,
        Action<IPostgresBuilder>? postgres = null,
        Action<WebApplicationBuilder>? configure = null,
        string environment = "Production",
        LogCapture? logs = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ApplicationName = typeof(TestApp).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
        }

        if (connectionString is not null)
        {
            builder.Configuration["ConnectionStrings:Postgres"] = connectionString;
        }

        var pg = builder.Services.AddPostgres(builder.Configuration);
        postgres?.Invoke(pg);
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        return app;
    }
}
