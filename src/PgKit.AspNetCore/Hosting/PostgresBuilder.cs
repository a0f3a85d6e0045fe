using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace PgKit.AspNetCore.Hosting;

internal sealed class PostgresBuilder(string name, IServiceCollection services) : IPostgresBuilder
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;

    public IPostgresBuilder OnInit(Func<NpgsqlConnection, CancellationToken, Task> hook, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(hook);
        var registration = new InitHook(string.IsNullOrWhiteSpace(name) ? InitHook.Describe(hook) : name, hook);
        Services.Configure<PostgresOptions>(Name, options => options.InitHooks.Add(registration));
        return this;
    }

    public IPostgresBuilder ConfigureDataSource(Action<NpgsqlDataSourceBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<PostgresOptions>(Name, options => options.DataSourceCallbacks.Add(configure));
        return this;
    }

    public IPostgresBuilder Configure(Action<PostgresOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(Name, configure);
        return this;
    }

    public IPostgresBuilder ConfigureProblemDetails(Action<PostgresProblemDetailsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
