using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using PgKit.AspNetCore;
using PgKit.AspNetCore.Diagnostics;
using PgKit.AspNetCore.Errors;
using PgKit.AspNetCore.Hosting;
using PgKit.AspNetCore.Sessions;
using PgKit.AspNetCore.Transactions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PostgreSQL databases for ASP.NET Core: pools, <see cref="Db"/>, <see cref="Atomic"/>, startup hooks and error responses.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default database, reading its connection string from <c>ConnectionStrings:Postgres</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration.</param>
    /// <returns>A builder for startup hooks, data source callbacks and options of the default database.</returns>
    /// <remarks>
    /// Registers (once, however often it is called): the <see cref="NpgsqlDataSource"/> (also keyed
    /// <see cref="PostgresOptions.DefaultName"/>), scoped <see cref="Db"/> and <see cref="Atomic"/>, a hosted service
    /// that builds the pool and runs the startup hooks before the server starts, and ProblemDetails error handling.
    /// A missing connection string is a startup error naming the setting.
    /// </remarks>
    public static IPostgresBuilder AddPostgres(this IServiceCollection services, IConfiguration configuration) =>
        services.AddPostgres(PostgresOptions.DefaultName, configuration);

    /// <summary>Registers the default database, configured in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the connection string and other options.</param>
    /// <returns>A builder for startup hooks, data source callbacks and options of the default database.</returns>
    public static IPostgresBuilder AddPostgres(this IServiceCollection services, Action<PostgresOptions> configure) =>
        services.AddPostgres(PostgresOptions.DefaultName, configure);

    /// <summary>
    /// Registers a named database (for example <c>"reporting"</c>) side by side with the others, reading its connection
    /// string from <c>ConnectionStrings:{name}</c>. Its services are keyed by the name:
    /// <c>[FromKeyedServices("reporting")] Db</c>, <c>Atomic</c> and <see cref="NpgsqlDataSource"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The database name; <see cref="PostgresOptions.DefaultName"/> registers the default database.</param>
    /// <param name="configuration">The application configuration.</param>
    /// <returns>A builder for the named database.</returns>
    public static IPostgresBuilder AddPostgres(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddPostgresCore(name);
        services.Configure<PostgresOptions>(name, options =>
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                options.ConnectionString = configuration.GetConnectionString(name);
            }
        });
        return builder;
    }

    /// <summary>Registers a named database configured in code. See <see cref="AddPostgres(IServiceCollection, string, IConfiguration)"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The database name.</param>
    /// <param name="configure">Sets the connection string and other options.</param>
    /// <returns>A builder for the named database.</returns>
    public static IPostgresBuilder AddPostgres(this IServiceCollection services, string name, Action<PostgresOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddPostgresCore(name);
        services.Configure(name, configure);
        return builder;
    }

    private static PostgresBuilder AddPostgresCore(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        AddSharedServices(services);
        services.Configure<PostgresRegistryOptions>(registry =>
        {
            if (!registry.Names.Contains(name, StringComparer.Ordinal))
            {
                registry.Names.Add(name);
            }
        });

        services.TryAddKeyedSingleton<PostgresDatabase>(name, static (sp, key) => sp.GetRequiredService<PostgresDatabases>().Get((string)key!));
        services.TryAddKeyedSingleton<NpgsqlDataSource>(name, static (sp, key) => sp.GetRequiredKeyedService<PostgresDatabase>(key).DataSource);
        services.TryAddKeyedScoped<Db>(name, static (sp, key) => new Db(sp.GetRequiredService<PgRequestScope>().GetSession((string)key!)));
        services.TryAddKeyedScoped<Atomic>(name, static (sp, key) => new Atomic(sp.GetRequiredService<PgRequestScope>().GetSession((string)key!)));
        if (name == PostgresOptions.DefaultName)
        {
            services.TryAddSingleton<NpgsqlDataSource>(static sp => sp.GetRequiredKeyedService<NpgsqlDataSource>(PostgresOptions.DefaultName));
            services.TryAddScoped<Db>(static sp => new Db(sp.GetRequiredService<PgRequestScope>().GetSession(PostgresOptions.DefaultName)));
            services.TryAddScoped<Atomic>(static sp => new Atomic(sp.GetRequiredService<PgRequestScope>().GetSession(PostgresOptions.DefaultName)));
        }

        return new PostgresBuilder(name, services);
    }

    private static void AddSharedServices(IServiceCollection services)
    {
        services.AddOptions();
        services.AddMetrics();
        services.AddProblemDetails();
        services.TryAddSingleton<PgKitMetrics>();
        services.TryAddSingleton<PostgresDatabases>();
        services.TryAddScoped<PgRequestScope>();
        services.TryAddSingleton<PostgresErrorMapper>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresOptions>, PostgresOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgresHostedService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, PostgresExceptionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeveloperPageExceptionFilter, PostgresDeveloperPageExceptionFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, PostgresStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<MvcOptions>, PgMvcOptionsSetup>());
    }
}
