using Npgsql;
using PgKit.AspNetCore.Sessions;

namespace PgKit.AspNetCore;

/// <summary>
/// A transaction begun with <see cref="Db.BeginAsync"/> or <see cref="Atomic.BeginAsync"/>: a real transaction when none
/// is open on the request connection, otherwise a savepoint inside the open one (for example inside the request
/// transaction of an atomic endpoint). Disposing it without <see cref="CommitAsync"/> rolls it back.
/// </summary>
/// <remarks>
/// Typical use is to let one statement fail without losing the request transaction:
/// <code>
/// await using var savepoint = await db.BeginAsync(ct);
/// try { /* insert */ await savepoint.CommitAsync(ct); }
/// catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation) { /* rolled back to the savepoint */ }
/// </code>
/// </remarks>
public sealed class PgTransactionScope : IAsyncDisposable
{
    private readonly PgRequestSession _session;
    private bool _completed;

    internal PgTransactionScope(PgRequestSession session, NpgsqlConnection connection, int depth, int generation, string? savepoint)
    {
        _session = session;
        Connection = connection;
        Depth = depth;
        Generation = generation;
        Savepoint = savepoint;
    }

    /// <summary>Gets the request connection the scope runs on.</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>Gets a value indicating whether the scope is a savepoint inside an enclosing transaction.</summary>
    public bool IsSavepoint => Savepoint is not null;

    internal int Depth { get; }

    internal int Generation { get; }

    internal string? Savepoint { get; }

    /// <summary>Commits the transaction, or releases the savepoint (its work then commits with the enclosing transaction).</summary>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>A task that completes when the server has answered.</returns>
    /// <exception cref="InvalidOperationException">The scope was already completed, or an enclosing one completed first.</exception>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _completed = true;
        await _session.CompleteScopeAsync(this, commit: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rolls the transaction back, or rolls back to the savepoint (the enclosing transaction goes on).</summary>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>A task that completes when the server has answered.</returns>
    public async Task RollbackAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        await _session.CompleteScopeAsync(this, commit: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rolls back unless <see cref="CommitAsync"/> or <see cref="RollbackAsync"/> was called.</summary>
    /// <returns>A task that completes when the rollback is done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        try
        {
            await _session.CompleteScopeAsync(this, commit: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            // Disposal runs while another exception may be unwinding: never mask it. A failed ROLLBACK TO SAVEPOINT
            // leaves the enclosing transaction aborted, and its own COMMIT then fails visibly.
        }
    }
}
