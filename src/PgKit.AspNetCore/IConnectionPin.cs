using Npgsql;

namespace PgKit.AspNetCore;

/// <summary>
/// One connection, already inside a transaction, that every request session of a database uses in turn instead of
/// the pool: the seam PgKit.Testing.AspNetCore's rollback mode plugs into (<see cref="PostgresOptions.ConnectionPin"/>).
/// Request transactions become savepoints of <see cref="Transaction"/>, so whatever the application "commits" is still
/// rolled back at the end of the test; each autocommit statement of <see cref="Db"/> runs in a savepoint of its own, so
/// a failed one is undone alone, as autocommit undoes it.
/// </summary>
/// <remarks>For test kits, not for apps: a pinned database serves one request at a time.</remarks>
public interface IConnectionPin
{
    /// <summary>Gets the outer transaction that request transactions nest in.</summary>
    NpgsqlTransaction Transaction { get; }

    /// <summary>Waits for exclusive use of the connection, so concurrent requests queue instead of colliding on it.</summary>
    /// <param name="timeout">How long to wait before failing with a message that says who holds it.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The open connection.</returns>
    ValueTask<NpgsqlConnection> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Ends exclusive use, undoing a failed statement's effect on the outer transaction.</summary>
    /// <returns>A task that completes when the connection is free again.</returns>
    ValueTask ReleaseAsync();

    /// <summary>Ends exclusive use synchronously (a scope disposed with <c>Dispose</c>).</summary>
    void Release();
}
