using Microsoft.Extensions.Logging;
using PgKit.AspNetCore.Diagnostics;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// Where one database's connection string comes from: <see cref="PostgresOptions.ConnectionString"/> (configuration),
/// or else an <see cref="IConnectionStringFallback"/> (the embedded server), which only the host's start can resolve.
/// </summary>
internal sealed class ConnectionStringSource(string name, PostgresOptions options, IConnectionStringFallback? fallback, ILogger logger)
{
    /// <summary>Gets the configured connection string, or throws a message that names the setting (or says to start the host first).</summary>
    public string Configured()
    {
        var configured = options.ConnectionString;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        if (fallback is null)
        {
            throw Missing();
        }

        throw new InvalidOperationException(
            $"The data source of PostgreSQL database '{name}' is not built yet: its connection string comes from {fallback.Source}, " +
            "which the host resolves when it starts. Resolve NpgsqlDataSource, Db or Atomic after the host has started (app.StartAsync or app.Run).");
    }

    /// <summary>Gets the configured connection string, or the fallback's (which may start a server), or throws naming the setting.</summary>
    /// <param name="cancellationToken">Cancels the fallback.</param>
    public async ValueTask<string> ResolveAsync(CancellationToken cancellationToken)
    {
        var configured = options.ConnectionString;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var connectionString = fallback is null
            ? null
            : await fallback.GetConnectionStringAsync(name, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw Missing();
        }

        Log.ConnectionStringFromFallback(logger, name, fallback!.Source);
        return connectionString;
    }

    private InvalidOperationException Missing() => new(
        $"No connection string for PostgreSQL database '{name}': set 'ConnectionStrings:{name}' " +
        $"(appsettings.json, or the environment variable ConnectionStrings__{name}) or PostgresOptions.ConnectionString.");
}
