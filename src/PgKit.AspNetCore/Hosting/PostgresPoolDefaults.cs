using System.Data.Common;
using Npgsql;

namespace PgKit.AspNetCore;

/// <summary>
/// The pool settings PgKit uses when the connection string does not set them. Npgsql's own defaults (a maximum of 100
/// connections, idle connections kept for 5 minutes) equal PostgreSQL's default <c>max_connections</c> (100): one
/// burst of requests could then take every connection the server has, keep them idle for minutes, and lock out psql,
/// migrations and every other instance of the app. A setting in the connection string always wins.
/// </summary>
/// <remarks>
/// Size the pools so that <c>Maximum Pool Size × instances + headroom ≤ max_connections</c>, where the headroom covers
/// administrative sessions, migrations, the server's <c>superuser_reserved_connections</c> and anything else that
/// connects. With these defaults, four instances fit a default server (100) with 20 connections to spare.
/// </remarks>
public static class PostgresPoolDefaults
{
    /// <summary>
    /// The <c>Maximum Pool Size</c> used when the connection string sets none: 20 connections per database and instance.
    /// </summary>
    /// <remarks>
    /// Provisional: well below any server's <c>max_connections</c>, so a burst ends in the pool's own 503 with
    /// <c>Retry-After</c> (after <see cref="PostgresOptions.AcquireTimeout"/>) rather than PostgreSQL's 53300 "too many
    /// clients" for this and every other client. A PostgreSQL server rarely runs faster with more active connections
    /// than a few per core; the default size is to be tuned with benchmarks, and may change.
    /// When the connection string sets a larger <c>Minimum Pool Size</c>, the maximum is raised to it.
    /// </remarks>
    public const int MaxPoolSize = 20;

    /// <summary>
    /// The <c>Connection Idle Lifetime</c>, in seconds, used when the connection string sets none: 60 (Npgsql's default is 300).
    /// </summary>
    /// <remarks>
    /// Connections above <c>Minimum Pool Size</c> that stayed idle this long are closed (Npgsql checks every
    /// <c>Connection Pruning Interval</c>, 10 s by default), so the connections a burst opened go back to the server
    /// within about a minute and a half instead of five. Closing a connection loses its prepared statements, which
    /// the next connection prepares again (one extra round trip per statement); a minute keeps connections, and their
    /// statements, across the pauses of ordinary traffic, while a pool under steady load is not pruned at all.
    /// </remarks>
    public const int ConnectionIdleLifetimeSeconds = 60;

    /// <summary>Fills in the settings the connection string leaves out.</summary>
    /// <param name="settings">The data source builder's settings, parsed from the app's connection string.</param>
    internal static void Apply(NpgsqlConnectionStringBuilder settings)
    {
        // NpgsqlConnectionStringBuilder.ContainsKey is true for every keyword it knows; its canonical connection string
        // names only the settings that were given (under their canonical names, whatever alias the app used).
        var given = new DbConnectionStringBuilder { ConnectionString = settings.ConnectionString };
        if (!given.ContainsKey("Maximum Pool Size"))
        {
            settings.MaxPoolSize = Math.Max(MaxPoolSize, settings.MinPoolSize);
        }

        if (!given.ContainsKey("Connection Idle Lifetime"))
        {
            // Npgsql refuses a pruning interval longer than the idle lifetime.
            settings.ConnectionIdleLifetime = Math.Max(ConnectionIdleLifetimeSeconds, settings.ConnectionPruningInterval);
        }
    }
}
