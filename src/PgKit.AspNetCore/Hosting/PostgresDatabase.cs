using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgKit.AspNetCore.Diagnostics;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// One registered database: owns its <see cref="NpgsqlDataSource"/> (built at host start, or on first use outside a host)
/// and its lifetime, and puts together the parts that do the work: where the connection string comes from
/// (<see cref="ConnectionStringSource"/>), how the pool is built (<see cref="DataSourceFactory"/>), what runs at start
/// (<see cref="StartupRunner"/>), which requests hold a connection (<see cref="ActiveSessionTracker"/>), the reusable
/// bounds of a wait for the pool (<see cref="AcquireTimeoutPool"/>) and the bounded wait at shutdown (<see cref="ShutdownDrainer"/>).
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private readonly PostgresOptions _options;
    private readonly ConnectionStringSource _connectionString;
    private readonly DataSourceFactory _factory;
    private readonly StartupRunner _startup;
    private readonly ShutdownDrainer _drainer;
    private readonly Lock _gate = new();
    private NpgsqlDataSource? _dataSource;
    private Task? _drain;
    private int _isolationWarned;
    private bool _disposed;
    private long _lastPrimaryFailure = long.MinValue / 2;

    public PostgresDatabase(
        string name, PostgresOptions options, IConnectionStringFallback? fallback, ILoggerFactory loggerFactory, PgKitMetrics metrics, bool reportFailedStatements)
    {
        Name = name;
        _options = options;
        Logger = loggerFactory.CreateLogger("PgKit.AspNetCore");
        Metrics = metrics;
        AcquireTimeout = options.AcquireTimeout;
        ShutdownTimeout = options.ShutdownTimeout;
        _connectionString = new ConnectionStringSource(name, options, fallback, Logger);
        _factory = new DataSourceFactory(name, options, loggerFactory, Logger, reportFailedStatements);
        _startup = new StartupRunner(name, options, _factory, loggerFactory, Logger);
        _drainer = new ShutdownDrainer(name, ShutdownTimeout, Sessions, _factory, Logger);
    }

    public string Name { get; }

    public TimeSpan AcquireTimeout { get; }

    public TimeSpan ShutdownTimeout { get; }

    public PgKitMetrics Metrics { get; }

    /// <summary>Gets the app's own IHttpContextAccessor, or null (PgKit registers none: it costs every request).</summary>
    public IHttpContextAccessor? HttpContextAccessor { get; init; }

    /// <summary>Gets the app's Data Protection (null when it registered none), which signs read-your-writes tokens.</summary>
    public Microsoft.AspNetCore.DataProtection.IDataProtectionProvider? DataProtection { get; init; }

    /// <summary>
    /// Gets the standby reads' data source, or null when the connection string names a single host (or a test pins
    /// one connection): then every request uses <see cref="DataSource"/>, as before.
    /// </summary>
    public NpgsqlDataSource? Standby
    {
        get
        {
            _ = DataSource;
            return _options.ConnectionPin is null ? _factory.Standby : null;
        }
    }

    /// <summary>Gets the read-your-writes tokens, or null when there are no standbys or the option is off.</summary>
    public ReadYourWrites? ReadYourWrites { get; private set; }

    /// <summary>
    /// After a request failed to reach the primary (stopped, or no longer the primary), forgets what Npgsql knows of
    /// each host's role, so the next request checks again instead of waiting out <c>Host Recheck Seconds</c>: a
    /// promoted standby takes writes at once. Idle connections to a stopped server are dropped with it.
    /// </summary>
    public void PrimaryFailed()
    {
        if (_factory.MultiHost is not { } multiHost)
        {
            return;
        }

        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastPrimaryFailure);
        if (now - last < 250 || Interlocked.CompareExchange(ref _lastPrimaryFailure, now, last) != last)
        {
            return; // once per quarter second is enough, however many requests fail together
        }

        multiHost.ClearDatabaseStates();
        multiHost.Clear();
        Log.PrimaryUnreachable(Logger, Name);
    }

    /// <summary>Gets the pinned test connection that replaces the pool for request sessions, or null.</summary>
    public IConnectionPin? Pin => _options.ConnectionPin;

    public ILogger Logger { get; }

    /// <summary>Gets the request sessions currently holding a connection of this database.</summary>
    public ActiveSessionTracker Sessions { get; } = new();

    /// <summary>Gets the reusable token sources that bound a request's wait for the pool.</summary>
    public AcquireTimeoutPool AcquireTimeouts { get; } = new();

    /// <summary>Gets the number of request sessions currently holding a connection of this database.</summary>
    public int ActiveSessions => Sessions.Count;

    /// <summary>Says once, on a pinned test connection, that an endpoint's isolation level cannot take effect there.</summary>
    /// <param name="isolationLevel">The level the endpoint asked for.</param>
    public void WarnIsolationLevelIgnored(System.Data.IsolationLevel isolationLevel)
    {
        if (Interlocked.Exchange(ref _isolationWarned, 1) == 0)
        {
            Log.IsolationLevelIgnoredOnPinnedConnection(Logger, isolationLevel, Name);
        }
    }

    /// <summary>
    /// Gets the data source, building it on first use when the host has not started it yet (scripts, tests) and the
    /// connection string is configured. Building does no I/O; a connection string that only a fallback (the embedded
    /// server) can provide is resolved asynchronously at host start, never by blocking a thread here.
    /// </summary>
    public NpgsqlDataSource DataSource => Volatile.Read(ref _dataSource) ?? Build(_connectionString.Configured());

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _dataSource) is null)
        {
            Build(await _connectionString.ResolveAsync(cancellationToken).ConfigureAwait(false));
        }

        await _startup.RunAsync(DataSource, cancellationToken).ConfigureAwait(false);
    }

    private NpgsqlDataSource Build(string connectionString)
    {
        lock (_gate)
        {
            if (_dataSource is not null)
            {
                return _dataSource;
            }

            ObjectDisposedException.ThrowIf(_disposed, this);
            var dataSource = _factory.Build(connectionString);
            if (_factory.Standby is not null && _options.ReadYourWrites)
            {
                ReadYourWrites = new ReadYourWrites(Name, DataProtection, _options.ReadYourWritesWait);
            }

            Volatile.Write(ref _dataSource, dataSource);
            return dataSource;
        }
    }

    /// <summary>Starts the bounded wait for in-flight requests (called when the host begins stopping, before the server drains).</summary>
    public void BeginShutdown()
    {
        lock (_gate)
        {
            _drain ??= _drainer.DrainAsync();
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

    public async ValueTask DisposeAsync()
    {
        if (TakeForDisposal() is { } dataSource)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            if (_factory.MultiHost is { } multiHost)
            {
                await multiHost.DisposeAsync().ConfigureAwait(false);
            }

            Log.DataSourceDisposed(Logger, Name);
        }
    }

    /// <summary>Closes the pool synchronously (a service provider disposed with <c>Dispose</c>, in a script).</summary>
    public void Dispose()
    {
        if (TakeForDisposal() is { } dataSource)
        {
            dataSource.Dispose();
            _factory.MultiHost?.Dispose();
            Log.DataSourceDisposed(Logger, Name);
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
