using Npgsql;
using PgKit.AspNetCore;

namespace PgKit.Testing.AspNetCore;

/// <summary>
/// The one connection of a class in rollback mode: each test runs in a transaction on it that is rolled back at the end.
/// Requests of the app and the test's own sessions take turns (a gate), and each turn runs in a savepoint, so a failed
/// statement in one turn does not poison the test's transaction for the next.
/// </summary>
internal sealed class PinnedConnection : IConnectionPin, IAsyncDisposable
{
    private const string LeaseSavepoint = "pgkit_lease";
    private static readonly TimeSpan TestBoundaryTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;
    private string? _holder;

    private PinnedConnection(NpgsqlConnection connection) => _connection = connection;

    public NpgsqlTransaction Transaction => _transaction ?? throw new InvalidOperationException(
        "PgKit.Testing: no test is running on the rollback-mode connection. Call BeginTestAsync first " +
        "(PostgresAppTest<TProgram> does it before each test).");

    public static async Task<PinnedConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        // Unpooled: the connection lives as long as the class and must be closed for its database to be dropped.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return new PinnedConnection(connection);
    }

    public async Task BeginTestAsync(CancellationToken cancellationToken)
    {
        await WaitForTurnAsync(TestBoundaryTimeout, "the start of a test", cancellationToken).ConfigureAwait(false);
        try
        {
            await EndTransactionAsync().ConfigureAwait(false);
            _transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task EndTestAsync(CancellationToken cancellationToken)
    {
        await WaitForTurnAsync(TestBoundaryTimeout, "the end of a test", cancellationToken).ConfigureAwait(false);
        try
        {
            await EndTransactionAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask<NpgsqlConnection> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        AcquireAsync(timeout, "a request of the app", cancellationToken);

    public async ValueTask<NpgsqlConnection> AcquireAsync(TimeSpan timeout, string holder, CancellationToken cancellationToken)
    {
        await WaitForTurnAsync(timeout, holder, cancellationToken).ConfigureAwait(false);
        try
        {
            await Transaction.SaveAsync(LeaseSavepoint, cancellationToken).ConfigureAwait(false);
            _holder = holder;
            return _connection;
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    public async ValueTask ReleaseAsync()
    {
        try
        {
            if (_transaction is { } transaction)
            {
                try
                {
                    await transaction.ReleaseAsync(LeaseSavepoint).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InFailedSqlTransaction)
                {
                    // A statement of this turn failed: undo the turn, as autocommit would have undone the statement.
                    await transaction.RollbackAsync(LeaseSavepoint).ConfigureAwait(false);
                    await transaction.ReleaseAsync(LeaseSavepoint).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _holder = null;
            _gate.Release();
        }
    }

    public void Release()
    {
        try
        {
            if (_transaction is { } transaction)
            {
                try
                {
                    transaction.Release(LeaseSavepoint);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InFailedSqlTransaction)
                {
                    transaction.Rollback(LeaseSavepoint);
                    transaction.Release(LeaseSavepoint);
                }
            }
        }
        finally
        {
            _holder = null;
            _gate.Release();
        }
    }

    private async Task WaitForTurnAsync(TimeSpan timeout, string waiter, CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException(
                $"PgKit.Testing: {waiter} waited {timeout.TotalSeconds:0.#} s for the test's single connection (rollback mode), " +
                $"held by {_holder ?? "someone"}. A TestSession that was never disposed, or a request that does not end, keeps it; " +
                "dispose sessions with 'await using', or use TestIsolation.DatabasePerClass for tests that need parallel connections.");
        }
    }

    private async Task EndTransactionAsync()
    {
        if (_transaction is { } transaction)
        {
            _transaction = null;
            try
            {
                await transaction.RollbackAsync().ConfigureAwait(false);
            }
            finally
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await EndTransactionAsync().ConfigureAwait(false);
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _gate.Dispose();
        }
    }
}
