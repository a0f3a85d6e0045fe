using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgKit.AspNetCore.Diagnostics;
using PgKit.AspNetCore.Sessions;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// One registered database: owns its <see cref="NpgsqlDataSource"/> (built at host start, or on first use outside a host),
/// runs its startup hooks, knows which requests hold a connection, and closes the pool at shutdown within a bound.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaintenanceTimeout = TimeSpan.FromSeconds(5);

    private readonly PostgresOptions _options;
    private readonly IConnectionStringFallback? _fallback;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    // The sessions holding a connection: an intrusive list under a lock, so that tracking a request allocates nothing.
    private readonly Lock _activeGate = new();
    private PgRequestSession? _activeHead;
    private int _activeCount;
    private readonly ConcurrentQueue<CancellationTokenSource> _acquireTimeouts = new();
    private readonly Lock _gate = new();
    private NpgsqlDataSource? _dataSource;
    private string? _connectionString;
    private Task? _drain;
    private bool _disposed;

    private readonly bool _reportFailedStatements;

    public PostgresDatabase(
        string name, PostgresOptions options, IConnectionStringFallback? fallback, ILoggerFactory loggerFactory, PgKitMetrics metrics, bool reportFailedStatements)
    {
        _reportFailedStatements = reportFailedStatements;
        Name = name;
        _options = options;
        _fallback = fallback;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("PgKit.AspNetCore");
        Metrics = metrics;
        AcquireTimeout = options.AcquireTimeout;
        ShutdownTimeout = options.ShutdownTimeout;
    }

    public string Name { get; }

    public TimeSpan AcquireTimeout { get; }

    public TimeSpan ShutdownTimeout { get; }

    public PgKitMetrics Metrics { get; }

    /// <summary>Gets the app's own IHttpContextAccessor, or null (PgKit registers none: it costs every request).</summary>
    public IHttpContextAccessor? HttpContextAccessor { get; init; }

    /// <summary>Gets the pinned test connection that replaces the pool for request sessions, or null.</summary>
    public IConnectionPin? Pin => _options.ConnectionPin;

    public ILogger Logger => _logger;

    /// <summary>Gets the number of request sessions currently holding a connection of this database.</summary>
    public int ActiveSessions => Volatile.Read(ref _activeCount);

    /// <summary>
    /// Gets the data source, building it on first use when the host has not started it yet (scripts, tests) and the
    /// connection string is configured. Building does no I/O; a connection string that only a fallback (the embedded
    /// server) can provide is resolved asynchronously at host start, never by blocking a thread here.
    /// </summary>
    public NpgsqlDataSource DataSource => Volatile.Read(ref _dataSource) ?? BuildFromOptions(ConfiguredConnectionString());

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _dataSource) is null)
        {
            var connectionString = string.IsNullOrWhiteSpace(_options.ConnectionString)
                ? await ResolveFallbackAsync(cancellationToken).ConfigureAwait(false)
                : _options.ConnectionString;
            BuildFromOptions(connectionString);
        }

        // Migrations first, so hooks and the first request see the current schema.
        foreach (var migrate in _options.StartupMigrations)
        {
            await migrate(DataSource, _loggerFactory, cancellationToken).ConfigureAwait(false);
        }

        await RunInitHooksAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunInitHooksAsync(CancellationToken cancellationToken)
    {
        var hooks = _options.InitHooks;
        if (hooks.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var hook in hooks)
            {
                Log.InitHookStarting(_logger, hook.Name, Name);
                try
                {
                    await hook.Callback(connection, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.InitHookFailed(_logger, ex, hook.Name, Name);
                    throw new InvalidOperationException(
                        $"PgKit: the startup hook '{hook.Name}' of PostgreSQL database '{Name}' failed: {ex.Message}", ex);
                }
            }
        }

        Log.InitHooksCompleted(_logger, hooks.Count, Name, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async ValueTask<string> ResolveFallbackAsync(CancellationToken cancellationToken)
    {
        var connectionString = _fallback is null
            ? null
            : await _fallback.GetConnectionStringAsync(Name, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw MissingConnectionString();
        }

        Log.ConnectionStringFromFallback(_logger, Name, _fallback!.Source);
        return connectionString;
    }

    private InvalidOperationException MissingConnectionString() => new(
        $"No connection string for PostgreSQL database '{Name}': set 'ConnectionStrings:{Name}' " +
        $"(appsettings.json, or the environment variable ConnectionStrings__{Name}) or PostgresOptions.ConnectionString.");

    private string ConfiguredConnectionString()
    {
        if (!string.IsNullOrWhiteSpace(_options.ConnectionString))
        {
            return _options.ConnectionString;
        }

        if (_fallback is null)
        {
            throw MissingConnectionString();
        }

        throw new InvalidOperationException(
            $"The data source of PostgreSQL database '{Name}' is not built yet: its connection string comes from {_fallback.Source}, " +
            "which the host resolves when it starts. Resolve NpgsqlDataSource, Db or Atomic after the host has started (app.StartAsync or app.Run).");
    }

    private NpgsqlDataSource BuildFromOptions(string connectionString)
    {
        lock (_gate)
        {
            if (_dataSource is not null)
            {
                return _dataSource;
            }

            ObjectDisposedException.ThrowIf(_disposed, this);

            var builder = new NpgsqlDataSourceBuilder(connectionString);
            PostgresPoolDefaults.Apply(builder.ConnectionStringBuilder);
            builder.UseLoggerFactory(_loggerFactory);
            builder.Name = Name;
            if (_reportFailedStatements)
            {
                // Lets Development error bodies show the failed SQL (PostgresException.BatchCommand) and the server's DETAIL,
                // which Npgsql redacts by default because it can hold row values. A callback may turn either off.
                builder.ConnectionStringBuilder.IncludeFailedBatchedCommand = true;
                builder.ConnectionStringBuilder.IncludeErrorDetail = true;
            }

            foreach (var configure in _options.DataSourceCallbacks)
            {
                configure(builder);
            }

            var settings = builder.ConnectionStringBuilder;
            Log.DataSourceBuilt(_logger, Name, settings.Host, settings.Port, settings.Database, settings.Username, settings.MaxPoolSize);
            var dataSource = builder.Build();
            _connectionString = builder.ConnectionString;
            Volatile.Write(ref _dataSource, dataSource);
            return dataSource;
        }
    }

    /// <summary>Rents a token source for bounding a wait for the pool; return it with <see cref="ReturnAcquireTimeout"/>.</summary>
    public CancellationTokenSource RentAcquireTimeout() =>
        _acquireTimeouts.TryDequeue(out var timeout) ? timeout : new CancellationTokenSource();

    /// <summary>Keeps a token source that never fired (its timer reset) for the next request; disposes one that did.</summary>
    public void ReturnAcquireTimeout(CancellationTokenSource timeout)
    {
        if (timeout.TryReset())
        {
            _acquireTimeouts.Enqueue(timeout);
        }
        else
        {
            timeout.Dispose();
        }
    }

    public void Track(PgRequestSession session, int processId)
    {
        lock (_activeGate)
        {
            session.ActiveProcessId = processId;
            if (session.IsActive)
            {
                return;
            }

            session.IsActive = true;
            session.ActivePrevious = null;
            session.ActiveNext = _activeHead;
            if (_activeHead is not null)
            {
                _activeHead.ActivePrevious = session;
            }

            _activeHead = session;
            _activeCount++;
        }
    }

    public void Untrack(PgRequestSession session)
    {
        lock (_activeGate)
        {
            if (!session.IsActive)
            {
                return;
            }

            if (session.ActivePrevious is { } previous)
            {
                previous.ActiveNext = session.ActiveNext;
            }
            else
            {
                _activeHead = session.ActiveNext;
            }

            if (session.ActiveNext is { } next)
            {
                next.ActivePrevious = session.ActivePrevious;
            }

            session.IsActive = false;
            session.ActivePrevious = null;
            session.ActiveNext = null;
            _activeCount--;
        }
    }

    private int[] ActiveProcessIds()
    {
        var ids = new HashSet<int>();
        lock (_activeGate)
        {
            for (var session = _activeHead; session is not null; session = session.ActiveNext)
            {
                ids.Add(session.ActiveProcessId);
            }
        }

        return [.. ids];
    }

    /// <summary>Starts the bounded wait for in-flight requests (called when the host begins stopping, before the server drains).</summary>
    public void BeginShutdown()
    {
        lock (_gate)
        {
            _drain ??= DrainAsync();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        BeginShutdown();
        try
        {
            await _drain!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's own shutdown timeout came first: close the pool now.
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    private async Task DrainAsync()
    {
        await Task.Yield();
        var count = ActiveSessions;
        if (count == 0 || Volatile.Read(ref _dataSource) is null)
        {
            return;
        }

        Log.ShutdownWaiting(_logger, (long)ShutdownTimeout.TotalMilliseconds, count, Name);
        if (await WaitForIdleAsync(ShutdownTimeout).ConfigureAwait(false))
        {
            return;
        }

        var processIds = ActiveProcessIds();
        Log.ShutdownCancelling(_logger, processIds.Length, Name);
        try
        {
            await CancelQueriesAsync(processIds).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            Log.ShutdownCancelFailed(_logger, ex, Name);
        }

        await WaitForIdleAsync(CancelGrace).ConfigureAwait(false);
    }

    private async Task<bool> WaitForIdleAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (ActiveSessions > 0)
        {
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Cancels the running statements of the given backends through a separate, unpooled connection: the pool itself
    /// may be exhausted by the very requests that are stuck.
    /// </summary>
    private async Task CancelQueriesAsync(int[] processIds)
    {
        var builder = new NpgsqlDataSourceBuilder(_connectionString);
        foreach (var configure in _options.DataSourceCallbacks)
        {
            configure(builder);
        }

        builder.ConnectionStringBuilder.Pooling = false;
        builder.ConnectionStringBuilder.Timeout = (int)MaintenanceTimeout.TotalSeconds;
        builder.Name = Name + " (shutdown)";
        using var timeout = new CancellationTokenSource(MaintenanceTimeout);
        var dataSource = builder.Build();
        await using (dataSource.ConfigureAwait(false))
        {
            var command = dataSource.CreateCommand("SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM unnest($1::int[]) AS pid");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = processIds });
                await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (TakeForDisposal() is { } dataSource)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            Log.DataSourceDisposed(_logger, Name);
        }
    }

    /// <summary>Closes the pool synchronously (a service provider disposed with <c>Dispose</c>, in a script).</summary>
    public void Dispose()
    {
        if (TakeForDisposal() is { } dataSource)
        {
            dataSource.Dispose();
            Log.DataSourceDisposed(_logger, Name);
        }
    }

    private NpgsqlDataSource? TakeForDisposal()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            _disposed = true;
            return _dataSource;
        }
    }
}
