using Microsoft.Extensions.Logging;
using Npgsql;
using PgKit.AspNetCore.Diagnostics;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// Builds the data sources of one database from its options: the request pool (once), and the unpooled maintenance
/// source that cancels stuck statements at shutdown, which reuses the pool's final connection string.
/// </summary>
internal sealed class DataSourceFactory(
    string name, PostgresOptions options, ILoggerFactory loggerFactory, ILogger logger, bool reportFailedStatements)
{
    /// <summary>Gets the connection string the pool was built with (after the callbacks ran), or null before it is built.</summary>
    public string? BuiltConnectionString { get; private set; }

    /// <summary>Builds the pool. Does no I/O; the caller builds it at most once.</summary>
    /// <param name="connectionString">The resolved connection string.</param>
    public NpgsqlDataSource Build(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        PostgresPoolDefaults.Apply(builder.ConnectionStringBuilder, options);
        builder.UseLoggerFactory(loggerFactory);
        builder.Name = name;
        if (reportFailedStatements)
        {
            // Lets Development error bodies show the failed SQL (PostgresException.BatchCommand) and the server's DETAIL,
            // which Npgsql redacts by default because it can hold row values. A callback may turn either off.
            builder.ConnectionStringBuilder.IncludeFailedBatchedCommand = true;
            builder.ConnectionStringBuilder.IncludeErrorDetail = true;
        }

        Configure(builder);
        var settings = builder.ConnectionStringBuilder;
        Log.DataSourceBuilt(logger, name, settings.Host, settings.Port, settings.Database, settings.Username, settings.MaxPoolSize);
        BuiltConnectionString = builder.ConnectionString;
        if (settings.Host?.Contains(',', StringComparison.Ordinal) != true)
        {
            return builder.Build();
        }

        // Several hosts: the primary and its standbys. Npgsql finds which is which (and rechecks after a failure);
        // requests use the primary unless their endpoint reads from a standby.
        var multiHost = builder.BuildMultiHost();
        MultiHost = multiHost;
        Standby = multiHost.WithTargetSession(TargetSessionAttributes.PreferStandby);
        return multiHost.WithTargetSession(TargetSessionAttributes.Primary);
    }

    /// <summary>Gets the multi-host source behind the pool when the connection string names several hosts, else null.</summary>
    public NpgsqlMultiHostDataSource? MultiHost { get; private set; }

    /// <summary>Gets the standby reads' view of <see cref="MultiHost"/> (a standby, else the primary), or null without several hosts.</summary>
    public NpgsqlDataSource? Standby { get; private set; }

    /// <summary>
    /// Builds an unpooled source on the pool's connection string, for work that must not wait for the pool (which may
    /// be exhausted by the very requests it deals with).
    /// </summary>
    /// <param name="connectTimeout">Bounds opening the connection.</param>
    public NpgsqlDataSource BuildMaintenance(TimeSpan connectTimeout)
    {
        var builder = new NpgsqlDataSourceBuilder(BuiltConnectionString);
        Configure(builder);
        builder.ConnectionStringBuilder.Pooling = false;
        builder.ConnectionStringBuilder.Timeout = (int)connectTimeout.TotalSeconds;
        builder.Name = name + " (shutdown)";
        return builder.Build();
    }

    /// <summary>Builds an unpooled source for the migrations on <see cref="PostgresOptions.MigrationConnectionString"/> (a direct connection).</summary>
    /// <param name="connectionString">The direct connection string.</param>
    public NpgsqlDataSource BuildMigration(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseLoggerFactory(loggerFactory);
        Configure(builder);
        builder.ConnectionStringBuilder.Pooling = false;
        builder.Name = name + " (migrations)";
        return builder.Build();
    }

    private void Configure(NpgsqlDataSourceBuilder builder)
    {
        foreach (var configure in options.DataSourceCallbacks)
        {
            configure(builder);
        }
    }
}
