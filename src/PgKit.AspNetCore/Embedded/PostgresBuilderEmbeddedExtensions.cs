using PgKit.AspNetCore;
using PgKit.AspNetCore.Embedded;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Opts an app into the embedded PostgreSQL default outside the Development environment.</summary>
public static class PostgresBuilderEmbeddedExtensions
{
    /// <summary>
    /// Uses the persistent PgKit.Embedded server of the app's content root whenever a database has no connection
    /// string, in every environment (in Development that is already the default). A configured connection string
    /// always wins. For demos and local tools; never for production.
    /// </summary>
    /// <param name="builder">The PgKit builder.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IPostgresBuilder UseEmbeddedServer(this IPostgresBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<EmbeddedServerOptions>(o => o.Enabled = true);
        return builder;
    }
}
