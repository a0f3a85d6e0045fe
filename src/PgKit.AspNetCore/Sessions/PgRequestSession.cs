using System.Data;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgKit.AspNetCore.Diagnostics;
using PgKit.AspNetCore.Hosting;
using PgKit.AspNetCore.Transactions;

namespace PgKit.AspNetCore.Sessions;

/// <summary>
/// The request-scoped connection of one database, shared by <see cref="Db"/> and <see cref="Atomic"/>: opened lazily,
/// at most one physical connection at a time, optionally inside the request transaction, and returned to the pool
/// (after a rollback of anything not committed) when the request scope ends, whichever way the request ended.
/// </summary>
/// <remarks>Like <see cref="NpgsqlConnection"/>, a session is used by one request at a time and is not thread-safe.</remarks>
internal sealed class PgRequestSession : IAsyncDisposable, IDisposable
{
    private static readonly Func<object, Task> OnStartingCallback = static state => ((PgRequestSession)state).OnResponseStartingAsync();
    private static readonly TimeSpan RollbackTimeout = TimeSpan.FromSeconds(5);

    private readonly PostgresDatabase _database;
    private readonly PgRequestScope _scope;
    private readonly HttpContext? _accessorContext;
    private NpgsqlConnection? _connection;
    private SessionTransaction? _transaction;
    private TransactionKind _kind;
    private AtomicState _atomic;
    private AtomicSettings? _endpointSettings;
    private bool _endpointSettingsResolved;
    private int _depth;
    private int _generation;
    private int _savepoints;
    private long _acquiredAt;
    private bool _onStartingRegistered;
    private bool _disposed;

    public PgRequestSession(PostgresDatabase database, PgRequestScope scope, HttpContext? accessorContext)
    {
        _database = database;
        _scope = scope;
        _accessorContext = accessorContext;
    }

    private enum TransactionKind
    {
        None,
        Atomic,
        Explicit,
    }

    private enum AtomicState
    {
        NotStarted,
        Active,
        Completed,
    }

    public string Name => _database.Name;

    public NpgsqlDataSource DataSource => _database.DataSource;

    public bool IsInTransaction => _transaction is not null;

    public bool HasActiveAtomicTransaction => _atomic == AtomicState.Active;

    /// <summary>Gets or sets the links of <see cref="PostgresDatabase"/>'s list of sessions holding a connection (under its lock).</summary>
    internal PgRequestSession? ActivePrevious { get; set; }

    /// <inheritdoc cref="ActivePrevious"/>
    internal PgRequestSession? ActiveNext { get; set; }

    /// <summary>Gets or sets the backend process of the connection held, for cancelling its statement at shutdown.</summary>
    internal int ActiveProcessId { get; set; }

    /// <summary>Gets or sets a value indicating whether the session is in that list.</summary>
    internal bool IsActive { get; set; }

    /// <summary>Gets the request the session belongs to, or null outside a request.</summary>
    private HttpContext? RequestContext => _scope.HttpContext ?? _accessorContext;

    /// <summary>Gets the settings of the endpoint's request transaction for this database, or null when the endpoint is not atomic.</summary>
    private AtomicSettings? EndpointSettings
    {
        get
        {
            if (!_endpointSettingsResolved)
            {
                _endpointSettings = ResolveEndpointSettings();
                _endpointSettingsResolved = true;
            }

            return _endpointSettings;
        }
    }

    private AtomicSettings? ResolveEndpointSettings()
    {
        var metadata = RequestContext?.GetEndpoint()?.Metadata.GetOrderedMetadata<IAtomicMetadata>();
        if (metadata is null)
        {
            return null;
        }

        for (var i = metadata.Count - 1; i >= 0; i--)
        {
            if (string.Equals(metadata[i].Settings.Database, Name, StringComparison.Ordinal))
            {
                return metadata[i].Settings;
            }
        }

        return null;
    }

    public ValueTask<NpgsqlConnection> GetConnectionAsync(bool atomic, CancellationToken cancellationToken)
    {
        var connection = _connection;
        if (connection is not null
            && connection.State == ConnectionState.Open
            && (_atomic == AtomicState.Active || (!atomic && (_atomic == AtomicState.Completed || EndpointSettings is null))))
        {
            return new ValueTask<NpgsqlConnection>(connection);
        }

        return GetConnectionSlowAsync(atomic, cancellationToken);
    }

    private async ValueTask<NpgsqlConnection> GetConnectionSlowAsync(bool atomic, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (atomic && _atomic == AtomicState.Completed)
        {
            throw new InvalidOperationException(
                $"The request transaction of PostgreSQL database '{Name}' has already been committed or rolled back: " +
                "Atomic can only be used while the handler runs.");
        }

        if (_connection is not null && _connection.State != ConnectionState.Open)
        {
            await DiscardBrokenConnectionAsync().ConfigureAwait(false);
        }

        if (_connection is null)
        {
            await OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_atomic == AtomicState.NotStarted && (atomic || EndpointSettings is not null))
        {
            await BeginAtomicAsync(cancellationToken).ConfigureAwait(false);
        }

        return _connection!;
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : RequestContext?.RequestAborted ?? CancellationToken.None;
        var started = Stopwatch.GetTimestamp();
        var connection = _database.Pin is { } pin
            ? await pin.AcquireAsync(_database.AcquireTimeout, token).ConfigureAwait(false)
            : await AcquirePooledAsync(token).ConfigureAwait(false);

        _database.Metrics.Acquired(Name, started);
        _acquiredAt = Stopwatch.GetTimestamp();
        _connection = connection;
        _database.Track(this, connection.ProcessID);
    }

    /// <summary>Takes a connection from the pool, waiting at most <see cref="PostgresOptions.AcquireTimeout"/>.</summary>
    private async ValueTask<NpgsqlConnection> AcquirePooledAsync(CancellationToken token)
    {
        // A reused token source, armed only when the pool has no idle connection: the common case (Npgsql hands an
        // idle connection over synchronously) costs no timer and no linked token source per request.
        var timeout = _database.RentAcquireTimeout();
        try
        {
            var pending = _database.DataSource.OpenConnectionAsync(timeout.Token);
            if (pending.IsCompletedSuccessfully)
            {
                return pending.Result;
            }

            timeout.CancelAfter(_database.AcquireTimeout);
            using var abort = token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
            return await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            _database.Metrics.TimedOut(Name);
            Log.PoolExhausted(_database.Logger, Name, (long)_database.AcquireTimeout.TotalMilliseconds);
            throw new PoolExhaustedException(Name, _database.AcquireTimeout, ex);
        }
        finally
        {
            _database.ReturnAcquireTimeout(timeout);
        }
    }

    private async Task BeginAtomicAsync(CancellationToken cancellationToken)
    {
        if (_kind == TransactionKind.Explicit)
        {
            throw new InvalidOperationException(
                $"A transaction begun with BeginAsync is active on PostgreSQL database '{Name}', so the request transaction (Atomic) " +
                "cannot start inside it. Use the request transaction from the start, and Atomic.BeginAsync for savepoints.");
        }

        var settings = EndpointSettings ?? AtomicSettings.For(Name);
        var connection = _connection!;

        // Npgsql sends BEGIN together with the next command, so an unused transaction costs no round trip.
        _transaction = await SessionTransaction.BeginAsync(connection, settings.IsolationLevel, _database.Pin, cancellationToken).ConfigureAwait(false);
        _kind = TransactionKind.Atomic;
        _atomic = AtomicState.Active;
        if (settings.ReadOnly)
        {
            var command = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Last line of defence: whatever path writes the response (a handler writing directly, an MVC action without
        // a result filter run), the transaction is completed before the first byte goes out.
        if (!_onStartingRegistered && RequestContext is { Response.HasStarted: false } request)
        {
            request.Response.OnStarting(OnStartingCallback, this);
            _onStartingRegistered = true;
        }
    }

    private Task OnResponseStartingAsync()
    {
        if (_atomic != AtomicState.Active || _disposed || RequestContext is not { } request)
        {
            return Task.CompletedTask;
        }

        var commit = request.Response.StatusCode < 400 && !request.RequestAborted.IsCancellationRequested;
        return CompleteAtomicAsync(commit);
    }

    /// <summary>Commits (or rolls back) the request transaction if it is active. A failed COMMIT is rethrown.</summary>
    public async Task CompleteAtomicAsync(bool commit)
    {
        if (_atomic != AtomicState.Active)
        {
            return;
        }

        var transaction = _transaction!;
        EndTransaction();
        _atomic = AtomicState.Completed;
        try
        {
            if (commit)
            {
                try
                {
                    await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                    _database.Metrics.Committed(Name);
                }
                catch (Exception ex)
                {
                    _database.Metrics.CommitFailed(Name);
                    _database.Metrics.RolledBack(Name);
                    Log.CommitFailed(_database.Logger, ex, Name, (ex as PostgresException)?.SqlState);
                    throw;
                }
            }
            else
            {
                await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
            }
        }
        finally
        {
            await DisposeQuietlyAsync(transaction).ConfigureAwait(false);
        }
    }

    /// <summary>Rolls back whatever transaction is open and makes the session ready to run the handler again.</summary>
    public async Task ResetForRetryAsync()
    {
        if (_transaction is { } transaction)
        {
            EndTransaction();
            await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
            await DisposeQuietlyAsync(transaction).ConfigureAwait(false);
        }

        _atomic = AtomicState.NotStarted;
        if (_connection is not null && _connection.State != ConnectionState.Open)
        {
            await DiscardBrokenConnectionAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask<PgTransactionScope> BeginScopeAsync(bool atomic, CancellationToken cancellationToken)
    {
        var connection = await GetConnectionAsync(atomic, cancellationToken).ConfigureAwait(false);
        if (_transaction is null)
        {
            _transaction = await SessionTransaction.BeginAsync(connection, IsolationLevel.Unspecified, _database.Pin, cancellationToken).ConfigureAwait(false);
            _kind = TransactionKind.Explicit;
            _depth = 1;
            return new PgTransactionScope(this, connection, _depth, _generation, savepoint: null);
        }

        var savepoint = "pgkit_sp_" + (++_savepoints).ToString(CultureInfo.InvariantCulture);
        await _transaction.SaveAsync(savepoint, cancellationToken).ConfigureAwait(false);
        _depth++;
        return new PgTransactionScope(this, connection, _depth, _generation, savepoint);
    }

    public bool IsScopeActive(PgTransactionScope scope) =>
        _transaction is not null && scope.Generation == _generation && scope.Depth <= _depth;

    public async Task CompleteScopeAsync(PgTransactionScope scope, bool commit, CancellationToken cancellationToken)
    {
        if (!IsScopeActive(scope))
        {
            if (commit)
            {
                throw new InvalidOperationException(
                    "This transaction scope has already ended: an enclosing scope or the request transaction completed first.");
            }

            return;
        }

        var transaction = _transaction!;
        if (scope.Savepoint is null)
        {
            EndTransaction();
            try
            {
                if (commit)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await DisposeQuietlyAsync(transaction).ConfigureAwait(false);
            }

            return;
        }

        _depth = scope.Depth - 1;
        if (commit)
        {
            await transaction.ReleaseAsync(scope.Savepoint, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await transaction.RollbackToAsync(scope.Savepoint, cancellationToken).ConfigureAwait(false);
        }
    }

    private void EndTransaction()
    {
        _transaction = null;
        _kind = TransactionKind.None;
        _depth = 0;
        _generation++;
    }

    private async Task RollbackQuietlyAsync(SessionTransaction transaction)
    {
        _database.Metrics.RolledBack(Name);
        if (_connection is not { State: ConnectionState.Open })
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(RollbackTimeout);
            await transaction.RollbackAsync(timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever went wrong, the connection is closed next and Npgsql discards a broken one.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RollbackFailed(_database.Logger, ex, Name);
        }
    }

    private static async Task DisposeQuietlyAsync(SessionTransaction transaction)
    {
        try
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Disposal of a finished transaction object must not mask the real outcome.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task DiscardBrokenConnectionAsync()
    {
        if (_transaction is not null)
        {
            // The transaction died with the connection.
            EndTransaction();
            if (_atomic == AtomicState.Active)
            {
                _atomic = AtomicState.Completed;
                _database.Metrics.RolledBack(Name);
            }
        }

        await ReleaseConnectionAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Returns the connection to the pool early, once the handler has returned: unless a transaction is still open or a
    /// reader is still streaming. A later use in the same request (while the result is written) opens one again.
    /// </summary>
    public Task ReleaseIfIdleAsync()
    {
        var connection = _connection;
        if (connection is null || _transaction is not null || _disposed
            || (connection.FullState & (ConnectionState.Executing | ConnectionState.Fetching)) != 0)
        {
            return Task.CompletedTask;
        }

        return ReleaseConnectionAsync();
    }

    private async Task ReleaseConnectionAsync()
    {
        var connection = _connection;
        if (connection is null)
        {
            return;
        }

        _connection = null;
        _database.Untrack(this);
        _database.Metrics.Released(Name, _acquiredAt);
        if (_database.Pin is { } pin)
        {
            await pin.ReleaseAsync().ConfigureAwait(false);
        }
        else
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_transaction is { } transaction)
        {
            if (_atomic == AtomicState.Active && SucceededStatus() is { } status)
            {
                // Work a successful request did is being thrown away: say so.
                Log.TransactionRolledBackAtRequestEnd(_database.Logger, Name, status);
            }

            EndTransaction();
            await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
            await DisposeQuietlyAsync(transaction).ConfigureAwait(false);
        }

        await ReleaseConnectionAsync().ConfigureAwait(false);
    }

    private int? SucceededStatus()
    {
        try
        {
            return RequestContext is { } httpContext && !httpContext.RequestAborted.IsCancellationRequested && httpContext.Response.StatusCode < 400
                ? httpContext.Response.StatusCode
                : null;
        }
        catch (ObjectDisposedException)
        {
            return null; // the server already recycled the request
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_transaction is { } transaction)
        {
            EndTransaction();
            _database.Metrics.RolledBack(Name);
            try
            {
                if (_connection is { State: ConnectionState.Open })
                {
                    transaction.Rollback();
                }

                transaction.Dispose();
            }
#pragma warning disable CA1031 // See RollbackQuietlyAsync.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RollbackFailed(_database.Logger, ex, Name);
            }
        }

        if (_connection is { } connection)
        {
            _connection = null;
            _database.Untrack(this);
            _database.Metrics.Released(Name, _acquiredAt);
            if (_database.Pin is { } pin)
            {
                pin.Release();
            }
            else
            {
                connection.Dispose();
            }
        }
    }
}
