using System.Data;
using System.Diagnostics;
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
internal sealed class PgRequestSession : TrackedSession, IAsyncDisposable, IDisposable
{
    private static readonly Func<object, Task> OnStartingCallback = static state => ((PgRequestSession)state).OnResponseStartingAsync();
    private static readonly TimeSpan RollbackTimeout = TimeSpan.FromSeconds(5);

    // On a pinned test connection, each autocommit statement runs in this savepoint of the test's transaction (see BeginStatementAsync).
    private const string StatementSavepoint = "pgkit_statement";

    private readonly PostgresDatabase _database;
    private readonly PgRequestScope _scope;
    private readonly HttpContext? _accessorContext;
    private readonly bool _pinned;
    private NpgsqlConnection? _connection;
    private long _acquiredAt;
    private TransactionState _tx;
    private AtomicSettings? _endpointSettings;
    private bool _endpointSettingsResolved;
    private bool _onStartingRegistered;
    private bool _statementSavepointOpen;
    private bool _onStandby;
    private bool _disposed;

    public PgRequestSession(PostgresDatabase database, PgRequestScope scope, HttpContext? accessorContext)
    {
        _database = database;
        _scope = scope;
        _accessorContext = accessorContext;
        _pinned = database.Pin is not null;
    }

    public string Name => _database.Name;

    public NpgsqlDataSource DataSource => _database.DataSource;

    public bool IsInTransaction => _tx.Transaction is not null;

    public bool HasActiveAtomicTransaction => _tx.IsRequestActive;

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
            && (_tx.IsRequestActive || (!atomic && !_pinned && (_tx.RequestPhase == RequestTransactionPhase.Ended || EndpointSettings is null))))
        {
            return new ValueTask<NpgsqlConnection>(connection);
        }

        return GetConnectionSlowAsync(atomic, cancellationToken);
    }

    private async ValueTask<NpgsqlConnection> GetConnectionSlowAsync(bool atomic, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (atomic && _tx.RequestPhase == RequestTransactionPhase.Ended)
        {
            throw new InvalidOperationException(
                $"The request transaction of PostgreSQL database '{Name}' has already been committed or rolled back: " +
                "Atomic can only be used while the handler runs.");
        }

        if (_connection is not null && _connection.State != ConnectionState.Open)
        {
            await DiscardBrokenConnectionAsync().ConfigureAwait(false);
        }

        if (atomic && _onStandby && _tx.Transaction is null)
        {
            // Atomic always runs on the primary: the standby connection a read took goes back.
            await ReleaseConnectionAsync().ConfigureAwait(false);
        }

        if (_connection is null)
        {
            await OpenAsync(atomic, cancellationToken).ConfigureAwait(false);
        }

        if (_tx.RequestPhase == RequestTransactionPhase.NotStarted && (atomic || EndpointSettings is not null))
        {
            await BeginAtomicAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_pinned && _tx.Transaction is null)
        {
            await BeginStatementAsync(cancellationToken).ConfigureAwait(false);
        }

        return _connection!;
    }

    /// <summary>
    /// On a pinned test connection, gives the autocommit statement about to run (each use of <see cref="Db"/> outside a
    /// transaction: every PgKit helper call is one) a savepoint of the test's transaction, after closing the previous
    /// statement's. A statement that failed is then undone alone, as autocommit undoes it in production, and what the
    /// request did before it stays; without it, the whole request's work would be rolled back with it.
    /// </summary>
    private async Task BeginStatementAsync(CancellationToken cancellationToken)
    {
        var transaction = _database.Pin!.Transaction;
        if (_statementSavepointOpen)
        {
            await EndStatementAsync(transaction, cancellationToken).ConfigureAwait(false);
        }

        await transaction.SaveAsync(StatementSavepoint, cancellationToken).ConfigureAwait(false);
        _statementSavepointOpen = true;
    }

    /// <summary>Keeps the last statement's work (RELEASE), or, when it failed, undoes it alone (ROLLBACK TO, then RELEASE).</summary>
    private async Task EndStatementAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        _statementSavepointOpen = false;
        try
        {
            await transaction.ReleaseAsync(StatementSavepoint, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InFailedSqlTransaction)
        {
            await transaction.RollbackAsync(StatementSavepoint, cancellationToken).ConfigureAwait(false);
            await transaction.ReleaseAsync(StatementSavepoint, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="EndStatementAsync"/>
    private void EndStatement(NpgsqlTransaction transaction)
    {
        _statementSavepointOpen = false;
        try
        {
            transaction.Release(StatementSavepoint);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InFailedSqlTransaction)
        {
            transaction.Rollback(StatementSavepoint);
            transaction.Release(StatementSavepoint);
        }
    }

    private async Task OpenAsync(bool atomic, CancellationToken cancellationToken)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : RequestContext?.RequestAborted ?? CancellationToken.None;
        var started = Stopwatch.GetTimestamp();
        var connection = _database.Pin is { } pin
            ? await pin.AcquireAsync(_database.AcquireTimeout, token).ConfigureAwait(false)
            : _database.Standby is null
                ? await AcquirePooledAsync(_database.DataSource, token).ConfigureAwait(false)
                : await OpenRoutedAsync(atomic, token).ConfigureAwait(false);

        _database.Metrics.Acquired(Name, started);
        _acquiredAt = Stopwatch.GetTimestamp();
        _connection = connection;
        _database.Sessions.Track(this, connection.ProcessID);
    }

    /// <summary>
    /// With standbys: a connection to the primary, or to a standby when the endpoint reads from one and the request is not
    /// atomic. A client with a read-your-writes token gets the standby only once it has replayed the client's last commit
    /// (waiting at most <see cref="PostgresOptions.ReadYourWritesWait"/>), else the primary; a token that does not verify
    /// goes to the primary at once.
    /// </summary>
    private async Task<NpgsqlConnection> OpenRoutedAsync(bool atomic, CancellationToken token)
    {
        if (atomic || EndpointSettings is not null || RequestContext?.GetEndpoint()?.Metadata.GetMetadata<ReadFromStandbyAttribute>() is null)
        {
            return await OpenPrimaryAsync(token).ConfigureAwait(false);
        }

        var readYourWrites = _database.ReadYourWrites;
        NpgsqlTypes.NpgsqlLogSequenceNumber target = default;
        var state = readYourWrites?.Read(RequestContext, out target) ?? WalTokenState.None;
        if (state == WalTokenState.Invalid)
        {
            return await OpenPrimaryAsync(token).ConfigureAwait(false);
        }

        var standby = await AcquirePooledAsync(_database.Standby!, token).ConfigureAwait(false);
        if (state == WalTokenState.None || await HasReplayedAsync(standby, target, readYourWrites!.Wait, token).ConfigureAwait(false))
        {
            _onStandby = true;
            return standby;
        }

        await standby.DisposeAsync().ConfigureAwait(false);
        Log.StandbyBehind(_database.Logger, Name, (long)readYourWrites.Wait.TotalMilliseconds);
        return await OpenPrimaryAsync(token).ConfigureAwait(false);
    }

    /// <summary>Waits (bounded) until the server the connection is on has replayed <paramref name="target"/>; a primary has.</summary>
    private static async Task<bool> HasReplayedAsync(NpgsqlConnection connection, NpgsqlTypes.NpgsqlLogSequenceNumber target, TimeSpan wait, CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        // On the primary (PreferStandby found no standby and fell back to it) every commit is there: the highest position.
        // A standby that reports no replay position (NULL) is never taken for caught up.
        var command = new NpgsqlCommand(
            "SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() ELSE 'FFFFFFFF/FFFFFFFF'::pg_catalog.pg_lsn END", connection);
        await using (command.ConfigureAwait(false))
        {
            while (true)
            {
                if (await command.ExecuteScalarAsync(token).ConfigureAwait(false) is NpgsqlTypes.NpgsqlLogSequenceNumber replayed && replayed >= target)
                {
                    return true;
                }

                if (Stopwatch.GetElapsedTime(started) >= wait)
                {
                    return false;
                }

                await Task.Delay(10, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A connection to the primary of a database with standbys; a failure makes Npgsql look for the primary again (failover).</summary>
    private async Task<NpgsqlConnection> OpenPrimaryAsync(CancellationToken token)
    {
        try
        {
            return await AcquirePooledAsync(_database.DataSource, token).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex is not PoolExhaustedException && !token.IsCancellationRequested)
        {
            _database.PrimaryFailed();
            throw;
        }
    }

    /// <summary>Takes a connection from the pool, waiting at most <see cref="PostgresOptions.AcquireTimeout"/>.</summary>
    private async ValueTask<NpgsqlConnection> AcquirePooledAsync(NpgsqlDataSource dataSource, CancellationToken token)
    {
        // A reused token source, armed only when the pool has no idle connection: the common case (Npgsql hands an
        // idle connection over synchronously) costs no timer and no linked token source per request.
        var timeout = _database.AcquireTimeouts.Rent();
        try
        {
            var pending = dataSource.OpenConnectionAsync(timeout.Token);
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
            _database.AcquireTimeouts.Return(timeout);
        }
    }

    private async Task BeginAtomicAsync(CancellationToken cancellationToken)
    {
        if (_tx.Open == OpenTransaction.Explicit)
        {
            throw new InvalidOperationException(
                $"A transaction begun with BeginAsync is active on PostgreSQL database '{Name}', so the request transaction (Atomic) " +
                "cannot start inside it. Use the request transaction from the start, and Atomic.BeginAsync for savepoints.");
        }

        var settings = EndpointSettings ?? AtomicSettings.For(Name);
        var connection = _connection!;
        if (_pinned && settings.IsolationLevel is IsolationLevel.RepeatableRead or IsolationLevel.Serializable)
        {
            // One connection cannot reproduce what these levels are for: the test's transaction decides the level.
            _database.WarnIsolationLevelIgnored(settings.IsolationLevel);
        }

        // Npgsql sends BEGIN together with the next command, so an unused transaction costs no round trip.
        _tx.RequestBegan(await SessionTransaction.BeginAsync(connection, settings.IsolationLevel, _database.Pin, cancellationToken).ConfigureAwait(false));
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
        if (!_tx.IsRequestActive || _disposed || RequestContext is not { } request)
        {
            return Task.CompletedTask;
        }

        var commit = request.Response.StatusCode < 400 && !request.RequestAborted.IsCancellationRequested;
        return CompleteAtomicAsync(commit);
    }

    /// <summary>Commits (or rolls back) the request transaction if it is active. A failed COMMIT is rethrown.</summary>
    public async Task CompleteAtomicAsync(bool commit)
    {
        if (!_tx.IsRequestActive)
        {
            return;
        }

        var transaction = _tx.EndRequest();
        try
        {
            if (commit)
            {
                try
                {
                    await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                    _database.Metrics.Committed(Name);
                    if (_database.ReadYourWrites is { } readYourWrites && !(EndpointSettings?.ReadOnly ?? false))
                    {
                        await IssueWalPositionAsync(readYourWrites).ConfigureAwait(false);
                    }
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

    /// <summary>
    /// Puts the WAL position of the commit that just happened on the response (read-your-writes). PostgreSQL 15 reports
    /// no commit position, so this asks for the current one: one round trip, and a position at or after the commit's.
    /// The insert position, not <c>pg_current_wal_lsn()</c>: with <c>synchronous_commit</c> off that one (the write
    /// position) can still be before the commit record, and a standby there has not got the commit.
    /// </summary>
    private async Task IssueWalPositionAsync(ReadYourWrites readYourWrites)
    {
        if (_onStandby || _connection is not { State: ConnectionState.Open } connection || RequestContext is not { Response.HasStarted: false } context)
        {
            return;
        }

        var command = new NpgsqlCommand("SELECT pg_catalog.pg_current_wal_insert_lsn()", connection);
        await using (command.ConfigureAwait(false))
        {
            try
            {
                if (await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false) is NpgsqlTypes.NpgsqlLogSequenceNumber position)
                {
                    readYourWrites.Issue(context, position);
                }
            }
            catch (NpgsqlException ex)
            {
                // The commit stands; only the token is missing, so this client's next standby read may be stale.
                Log.WalPositionFailed(_database.Logger, ex, Name);
            }
        }
    }

    /// <summary>Rolls back whatever transaction is open and makes the session ready to run the handler again.</summary>
    public async Task ResetForRetryAsync()
    {
        if (_tx.ResetForRetry() is { } transaction)
        {
            await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
            await DisposeQuietlyAsync(transaction).ConfigureAwait(false);
        }

        if (_connection is not null && _connection.State != ConnectionState.Open)
        {
            await DiscardBrokenConnectionAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask<PgTransactionScope> BeginScopeAsync(bool atomic, CancellationToken cancellationToken)
    {
        var connection = await GetConnectionAsync(atomic, cancellationToken).ConfigureAwait(false);
        if (_tx.Transaction is not { } transaction)
        {
            _tx.ExplicitBegan(await SessionTransaction.BeginAsync(connection, IsolationLevel.Unspecified, _database.Pin, cancellationToken).ConfigureAwait(false));
            return new PgTransactionScope(this, connection, _tx.Depth, _tx.Generation, savepoint: null);
        }

        var savepoint = _tx.NextSavepointName();
        await transaction.SaveAsync(savepoint, cancellationToken).ConfigureAwait(false);
        return new PgTransactionScope(this, connection, _tx.SavepointCreated(), _tx.Generation, savepoint);
    }

    public bool IsScopeActive(PgTransactionScope scope) => _tx.IsScopeActive(scope.Depth, scope.Generation);

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

        if (scope.Savepoint is null)
        {
            var transaction = _tx.EndExplicit();
            try
            {
                if (commit)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    if (_database.ReadYourWrites is { } readYourWrites)
                    {
                        await IssueWalPositionAsync(readYourWrites).ConfigureAwait(false);
                    }
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

        var enclosing = _tx.Transaction!;
        _tx.SavepointEnded(scope.Depth);
        if (commit)
        {
            await enclosing.ReleaseAsync(scope.Savepoint, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await enclosing.RollbackToAsync(scope.Savepoint, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Counts a rollback, and says whether there is a live connection to send it on (a broken one took the transaction with it).</summary>
    private bool StartRollback()
    {
        _database.Metrics.RolledBack(Name);
        return _connection is { State: ConnectionState.Open };
    }

    private async Task RollbackQuietlyAsync(SessionTransaction transaction)
    {
        if (!StartRollback())
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

    /// <inheritdoc cref="RollbackQuietlyAsync"/>
    private void RollbackQuietly(SessionTransaction transaction)
    {
        if (!StartRollback())
        {
            return;
        }

        try
        {
            transaction.Rollback();
        }
#pragma warning disable CA1031 // See RollbackQuietlyAsync.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RollbackFailed(_database.Logger, ex, Name);
        }
    }

    /// <summary>Disposes a finished transaction object; a failure is logged, never thrown, so it cannot mask the outcome being reported.</summary>
    private async Task DisposeQuietlyAsync(SessionTransaction transaction)
    {
        try
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Disposal of a finished transaction object must not mask the real outcome: logged instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TransactionDisposeFailed(_database.Logger, ex, Name);
        }
    }

    /// <inheritdoc cref="DisposeQuietlyAsync"/>
    private void DisposeQuietly(SessionTransaction transaction)
    {
        try
        {
            transaction.Dispose();
        }
#pragma warning disable CA1031 // See DisposeQuietlyAsync.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TransactionDisposeFailed(_database.Logger, ex, Name);
        }
    }

    private async Task DiscardBrokenConnectionAsync()
    {
        if (_tx.ConnectionLost())
        {
            _database.Metrics.RolledBack(Name);
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
        if (connection is null || _tx.Transaction is not null || _disposed
            || (connection.FullState & (ConnectionState.Executing | ConnectionState.Fetching)) != 0)
        {
            return Task.CompletedTask;
        }

        return ReleaseConnectionAsync();
    }

    /// <summary>Takes the connection out of the session (untracked, its hold time recorded), for the caller to return; null when none is held.</summary>
    private NpgsqlConnection? DetachConnection()
    {
        var connection = _connection;
        if (connection is null)
        {
            return null;
        }

        _connection = null;
        if (connection.State != ConnectionState.Open && !_onStandby && _database.Standby is not null)
        {
            // The primary broke under the request (stopped, crashed): look for it again before the next request.
            _database.PrimaryFailed();
        }

        _onStandby = false;
        _database.Sessions.Untrack(this);
        _database.Metrics.Released(Name, _acquiredAt);
        return connection;
    }

    private async Task ReleaseConnectionAsync()
    {
        if (_statementSavepointOpen)
        {
            try
            {
                await EndStatementAsync(_database.Pin!.Transaction, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The pin's release undoes its whole turn when the test's transaction is left failed.
                Log.RollbackFailed(_database.Logger, ex, Name);
            }
        }

        if (DetachConnection() is not { } connection)
        {
            return;
        }

        if (_database.Pin is { } pin)
        {
            await pin.ReleaseAsync().ConfigureAwait(false);
        }
        else
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="ReleaseConnectionAsync"/>
    private void ReleaseConnection()
    {
        if (_statementSavepointOpen)
        {
            try
            {
                EndStatement(_database.Pin!.Transaction);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // See ReleaseConnectionAsync.
                Log.RollbackFailed(_database.Logger, ex, Name);
            }
        }

        if (DetachConnection() is not { } connection)
        {
            return;
        }

        if (_database.Pin is { } pin)
        {
            pin.Release();
        }
        else
        {
            connection.Dispose();
        }
    }

    /// <summary>
    /// The state side of ending the session, shared by <see cref="DisposeAsync"/> and <see cref="Dispose"/>: marks it
    /// disposed and hands back what is still open, to be rolled back. False when it was already disposed.
    /// </summary>
    private bool TryBeginDispose(out SessionTransaction? abandoned)
    {
        abandoned = null;
        if (_disposed)
        {
            return false;
        }

        _disposed = true;
        if (_tx.IsRequestActive && SucceededStatus() is { } status)
        {
            // Work a successful request did is being thrown away: say so.
            Log.TransactionRolledBackAtRequestEnd(_database.Logger, Name, status);
        }

        abandoned = _tx.Abandon();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!TryBeginDispose(out var transaction))
        {
            return;
        }

        if (transaction is not null)
        {
            await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
            await DisposeQuietlyAsync(transaction).ConfigureAwait(false);
        }

        await ReleaseConnectionAsync().ConfigureAwait(false);
    }

    /// <summary>As <see cref="DisposeAsync"/>, with the same steps done synchronously (a scope disposed with <c>Dispose</c>).</summary>
    public void Dispose()
    {
        if (!TryBeginDispose(out var transaction))
        {
            return;
        }

        if (transaction is not null)
        {
            RollbackQuietly(transaction);
            DisposeQuietly(transaction);
        }

        ReleaseConnection();
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
}
