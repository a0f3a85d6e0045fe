using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgKit.AspNetCore.Diagnostics;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// What one database runs at host start, before any request: its migrations (<c>MigrateOnStartup</c>), then its
/// <c>OnInit</c> hooks, in registration order, on one connection.
/// </summary>
internal sealed class StartupRunner(string name, PostgresOptions options, DataSourceFactory factory, ILoggerFactory loggerFactory, ILogger logger)
{
    /// <summary>Runs the migrations, then the hooks; a failing hook is logged and rethrown with its name.</summary>
    /// <param name="dataSource">The database's pool.</param>
    /// <param name="cancellationToken">Cancels startup.</param>
    public async Task RunAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        // Migrations first, so hooks and the first request see the current schema.
        if (options.StartupMigrations.Count > 0 && !string.IsNullOrWhiteSpace(options.MigrationConnectionString))
        {
            var direct = factory.BuildMigration(options.MigrationConnectionString);
            await using (direct.ConfigureAwait(false))
            {
                foreach (var migrate in options.StartupMigrations)
                {
                    await migrate(direct, loggerFactory, cancellationToken).ConfigureAwait(false);
                }
            }

            // The pool loaded the catalog's types before the migrations made theirs.
            await dataSource.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var migrate in options.StartupMigrations)
            {
                await migrate(dataSource, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
        }

        await RunInitHooksAsync(dataSource, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunInitHooksAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var hooks = options.InitHooks;
        if (hooks.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var hook in hooks)
            {
                Log.InitHookStarting(logger, hook.Name, name);
                try
                {
                    await hook.Callback(connection, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.InitHookFailed(logger, ex, hook.Name, name);
                    throw new InvalidOperationException(
                        $"PgKit: the startup hook '{hook.Name}' of PostgreSQL database '{name}' failed: {ex.Message}", ex);
                }
            }
        }

        // A hook may create types (CREATE TYPE, CREATE EXTENSION): the pool loaded the catalog's types when the hook's
        // connection opened, before they existed, and would fail to read their columns until a restart. Migrations
        // reload them the same way.
        await dataSource.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
        Log.InitHooksCompleted(logger, hooks.Count, name, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
