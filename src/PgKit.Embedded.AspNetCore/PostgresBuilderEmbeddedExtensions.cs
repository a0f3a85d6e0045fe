using Microsoft.Extensions.DependencyInjection.Extensions;
using PgKit.AspNetCore;
using PgKit.Embedded.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Opts an app into the embedded PostgreSQL default: a private server when no connection string is configured.</summary>
public static class PostgresBuilderEmbeddedExtensions
{
    /// <summary>
    /// In the Development environment, uses the persistent PgKit.Embedded server of the app's content root whenever a
    /// database has no connection string; the app connects as the server's <c>app</c> role, which owns its database
    /// and has no superuser rights. In every other environment a missing connection string stays a startup error. A
    /// configured connection string always wins.
    /// </summary>
    /// <param name="builder">The PgKit builder.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IPostgresBuilder UseEmbeddedServerInDevelopment(this IPostgresBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddFallback(builder.Services);
        return builder;
    }

    /// <summary>
    /// Uses the embedded server whenever a database has no connection string, in every environment, Production
    /// included, and logs a warning at start outside Development. For demos and local tools only: a production app
    /// whose connection string went missing would otherwise run on a private, unreplicated server on its own machine.
    /// </summary>
    /// <param name="builder">The PgKit builder.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IPostgresBuilder UseEmbeddedServerInEveryEnvironment(this IPostgresBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddFallback(builder.Services);
        builder.Services.Configure<EmbeddedServerOptions>(o => o.AllowOutsideDevelopment = true);
        return builder;
    }

    private static void AddFallback(IServiceCollection services) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionStringFallback, EmbeddedServerFallback>());
}
