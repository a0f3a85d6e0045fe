using Microsoft.Extensions.Logging;
using PgKit.AspNetCore;
using PgKit.AspNetCore.Hosting;
using PgKit.Migrations;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Applies PgKit migrations when the host starts.</summary>
public static class PostgresBuilderMigrationExtensions
{
    /// <summary>
    /// Applies pending migrations when the host starts: after the pool is built, before the startup hooks and
    /// before the server accepts requests. Safe with many instances: a lock-free check first, on a connection of
    /// the app's pool (which then serves the app), so a fleet with nothing to do never queues and opens no extra
    /// connection; only when something is pending, a dedicated connection takes a session advisory lock so each
    /// migration is applied exactly once.
    /// A failing migration stops startup. Pooled connections are reset after a change.
    /// </summary>
    /// <param name="builder">The PgKit builder.</param>
    /// <param name="source">Where the migrations are, for example <c>MigrationSource.FromAssembly(typeof(Program).Assembly, "MyApp.Migrations.")</c>.</param>
    /// <param name="configure">Adjusts the other migration options (timeouts, table, out-of-order).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IPostgresBuilder MigrateOnStartup(this IPostgresBuilder builder, MigrationSource source, Action<MigrationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        builder.Configure(options => options.StartupMigrations.Add(async (dataSource, loggerFactory, cancellationToken) =>
        {
            var migrationOptions = new MigrationOptions { Source = source, Logger = loggerFactory.CreateLogger("PgKit.Migrations") };
            configure?.Invoke(migrationOptions);
            await Migrator.MigrateAsync(dataSource, migrationOptions, cancellationToken).ConfigureAwait(false);
        }));
        return builder;
    }
}
