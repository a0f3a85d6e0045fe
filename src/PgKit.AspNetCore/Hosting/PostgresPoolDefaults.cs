using System.Data.Common;
using Npgsql;
using PgKit.AspNetCore.Hosting;

namespace PgKit.AspNetCore;

/// <summary>
/// The connection settings PgKit uses when the connection string does not set them: a pool sized for the server rather
/// than Npgsql's 100 connections, idle connections returned within a minute, and repeated statements prepared. Npgsql's
/// own pool defaults (a maximum of 100 connections, idle connections kept for 5 minutes) equal PostgreSQL's default
/// <c>max_connections</c> (100): one burst of requests could then take every connection the server has, keep them idle
/// for minutes, and lock out psql, migrations and every other instance of the app. A setting in the connection string
/// always wins.
/// </summary>
/// <remarks>
/// Size the pools so that <c>Maximum Pool Size × instances + headroom ≤ max_connections</c>, where the headroom covers
/// administrative sessions, migrations, the server's <c>superuser_reserved_connections</c> and anything else that
/// connects. With these defaults, four instances fit a default server (100) with at least 20 connections to spare.
/// </remarks>
public static class PostgresPoolDefaults
{
    /// <summary>
    /// The largest <c>Maximum Pool Size</c> PgKit uses when the connection string sets none: 20 connections per database
    /// and instance. The size used is <see cref="DefaultMaxPoolSize"/>, which derives from the machine and stays at or below this.
    /// </summary>
    /// <remarks>
    /// Well below any server's <c>max_connections</c>, so a burst ends in the pool's own 503 with <c>Retry-After</c>
    /// (after <see cref="PostgresOptions.AcquireTimeout"/>) rather than PostgreSQL's 53300 "too many clients" for this
    /// and every other client. When the connection string sets a larger <c>Minimum Pool Size</c>, the maximum is raised to it.
    /// </remarks>
    public const int MaxPoolSize = 20;

    /// <summary>The fewest connections the derived default allows, whatever the machine (<see cref="DefaultMaxPoolSize"/>).</summary>
    private const int MinDefaultPoolSize = 8;

    /// <summary>Connections per processor in the derived default (<see cref="DefaultMaxPoolSize"/>).</summary>
    private const int ConnectionsPerProcessor = 4;

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

    /// <summary>
    /// The <c>Max Auto Prepare</c> used when the connection string sets none: up to 100 statements per connection are
    /// prepared automatically (Npgsql's default, 0, prepares none).
    /// </summary>
    /// <remarks>
    /// A prepared statement is parsed and planned once per connection instead of at every execution: for the short
    /// statements of a web API that is most of the server's work per statement (about half the server's CPU of a
    /// primary-key read). 100 covers the distinct hot statements of most APIs (past it, Npgsql recycles the least
    /// recently used), as asyncpg's statement cache of 100 does by default; Npgsql tracks 100 candidates and warns above
    /// 256. Each prepared statement keeps its plan in the server session, a few kilobytes to tens of kilobytes.
    /// Not applied when <see cref="PostgresOptions.TransactionPooling"/> declares a PgBouncer pool in transaction mode,
    /// which cannot keep prepared statements.
    /// </remarks>
    public const int MaxAutoPrepare = 100;

    /// <summary>
    /// The <c>Auto Prepare Min Usages</c> used when the connection string sets none: a statement is prepared on its
    /// second execution on a connection (Npgsql's default is the fifth).
    /// </summary>
    /// <remarks>
    /// A one-off statement (a migration, an ad-hoc query) is never prepared, and a repeated one stops paying for parsing
    /// and planning after its first run on each connection: with 20 pooled connections that is 20 unprepared executions
    /// of each statement after a start instead of 80.
    /// </remarks>
    public const int AutoPrepareMinUsages = 2;

    /// <summary>
    /// Gets the <c>Maximum Pool Size</c> used when the connection string sets none: 4 connections per processor of this
    /// machine (<see cref="Environment.ProcessorCount"/>), at least 8, at most <see cref="MaxPoolSize"/>.
    /// </summary>
    /// <remarks>
    /// PostgreSQL serves most transactions per second with a few active connections per core of the database server
    /// (its wiki's rule of thumb: twice the cores plus the disks); more connections only queue inside the server, where
    /// they compete for cores and locks and stretch the tail latency, while requests waiting in the pool queue in order.
    /// A request holds its connection for more than its statements (the round trips, the handler's own work between
    /// them), so a pool keeps fewer connections busy in the server than it holds. The app's processor count stands in
    /// for the server's, which the app cannot know; set <c>Maximum Pool Size</c> when they differ, and divide among the
    /// instances that share the server.
    /// </remarks>
    public static int DefaultMaxPoolSize { get; } = DefaultPoolSizeFor(Environment.ProcessorCount);

    /// <summary>The default pool size for a machine of <paramref name="processorCount"/> processors (see <see cref="DefaultMaxPoolSize"/>).</summary>
    internal static int DefaultPoolSizeFor(int processorCount) =>
        Math.Clamp(processorCount * ConnectionsPerProcessor, MinDefaultPoolSize, MaxPoolSize);

    /// <summary>
    /// Fills in the settings the connection string leaves out: the one place PgKit's defaults are applied, so a pool
    /// that cannot support one (a PgBouncer pool in transaction mode cannot keep prepared statements) is one check here.
    /// </summary>
    /// <param name="settings">The data source builder's settings, parsed from the app's connection string.</param>
    /// <param name="options">The database's options.</param>
    internal static void Apply(NpgsqlConnectionStringBuilder settings, PostgresOptions options)
    {
        // NpgsqlConnectionStringBuilder.ContainsKey is true for every keyword it knows; its canonical connection string
        // names only the settings that were given (under their canonical names, whatever alias the app used).
        var given = new DbConnectionStringBuilder { ConnectionString = settings.ConnectionString };
        if (!given.ContainsKey("Maximum Pool Size"))
        {
            settings.MaxPoolSize = Math.Max(DefaultMaxPoolSize, settings.MinPoolSize);
        }

        if (!given.ContainsKey("Connection Idle Lifetime"))
        {
            // Npgsql refuses a pruning interval longer than the idle lifetime.
            settings.ConnectionIdleLifetime = Math.Max(ConnectionIdleLifetimeSeconds, settings.ConnectionPruningInterval);
        }

        if (options.TransactionPooling)
        {
            // A transaction-mode pooler cannot keep what the defaults below turn on: its settings replace them.
            TransactionPooling.Apply(settings, given);
            return;
        }

        if (!given.ContainsKey("Max Auto Prepare"))
        {
            settings.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!given.ContainsKey("Auto Prepare Min Usages"))
        {
            settings.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }
    }
}
