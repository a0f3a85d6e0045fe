using System.Data;
using System.Globalization;
using Npgsql;

namespace PgKit.AspNetCore.Sessions;

/// <summary>
/// The transaction of a request session: a real <see cref="NpgsqlTransaction"/>, or, on a pinned test connection
/// (<see cref="IConnectionPin"/>), a savepoint of the test's outer transaction that commits by RELEASE and rolls back
/// by ROLLBACK TO, so application code runs unchanged and the test still discards everything.
/// </summary>
internal sealed class SessionTransaction
{
    private static int savepoints;

    private readonly NpgsqlTransaction _transaction;
    private readonly string? _savepoint;

    private SessionTransaction(NpgsqlTransaction transaction, string? savepoint)
    {
        _transaction = transaction;
        _savepoint = savepoint;
    }

    public static async ValueTask<SessionTransaction> BeginAsync(
        NpgsqlConnection connection, IsolationLevel isolationLevel, IConnectionPin? pin, CancellationToken cancellationToken)
    {
        if (pin is null)
        {
            return new SessionTransaction(await connection.BeginTransactionAsync(isolationLevel, cancellationToken).ConfigureAwait(false), savepoint: null);
        }

        // The isolation level cannot change inside a transaction: the test's outer transaction decides it.
        var name = "pgkit_tx_" + Interlocked.Increment(ref savepoints).ToString(CultureInfo.InvariantCulture);
        await pin.Transaction.SaveAsync(name, cancellationToken).ConfigureAwait(false);
        return new SessionTransaction(pin.Transaction, name);
    }

    public Task CommitAsync(CancellationToken cancellationToken) => _savepoint is null
        ? _transaction.CommitAsync(cancellationToken)
        : _transaction.ReleaseAsync(_savepoint, cancellationToken); // PostgreSQL restores READ ONLY at the savepoint's end

    public Task RollbackAsync(CancellationToken cancellationToken) => _savepoint is null
        ? _transaction.RollbackAsync(cancellationToken)
        : _transaction.RollbackAsync(_savepoint, cancellationToken);

    public void Rollback()
    {
        if (_savepoint is null)
        {
            _transaction.Rollback();
        }
        else
        {
            _transaction.Rollback(_savepoint);
        }
    }

    public Task SaveAsync(string name, CancellationToken cancellationToken) => _transaction.SaveAsync(name, cancellationToken);

    public Task ReleaseAsync(string name, CancellationToken cancellationToken) => _transaction.ReleaseAsync(name, cancellationToken);

    public Task RollbackToAsync(string name, CancellationToken cancellationToken) => _transaction.RollbackAsync(name, cancellationToken);

    /// <summary>Disposes a real transaction; a savepoint leaves the outer transaction alone.</summary>
    public ValueTask DisposeAsync() => _savepoint is null ? _transaction.DisposeAsync() : default;

    public void Dispose()
    {
        if (_savepoint is null)
        {
            _transaction.Dispose();
        }
    }
}
