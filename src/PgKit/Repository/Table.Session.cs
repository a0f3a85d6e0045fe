using Npgsql;
namespace PgKit;

// The same operations on an IPgSession (the ASP.NET Core layer's per-request Db/Atomic): get its connection, forward
// (with no task of its own when the session already has its connection, see PgSessionExtensions.Forward).
public partial class Table<TRow, TKey>
{
    /// <summary>Returns the row with <paramref name="key"/>, or <see langword="null"/>, on the session's connection.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public Task<TRow?> GetAsync(IPgSession session, TKey key, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(session, (table: this, key), static (c, a, ct) => a.table.GetAsync(c, a.key, ct), cancellationToken);

    /// <summary>Returns the row with <paramref name="key"/> on the session's connection, or throws <see cref="NotFoundException"/>.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="NotFoundException">No row has <paramref name="key"/>.</exception>
    public Task<TRow> GetOrThrowAsync(IPgSession session, TKey key, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(session, (table: this, key), static (c, a, ct) => a.table.GetOrThrowAsync(c, a.key, ct), cancellationToken);

    /// <summary>Returns one page of rows on the session's connection (see <see cref="PageRequest"/>).</summary>
    /// <param name="session">The session.</param>
    /// <param name="request">The filter, order and page.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The request is inconsistent.</exception>
    public Task<Page<TRow>> ListAsync(IPgSession session, PageRequest? request = null, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(session, (table: this, request), static (c, a, ct) => a.table.ListAsync(c, a.request, ct), cancellationToken);

    /// <summary>Inserts a row on the session's connection and returns it as stored.</summary>
    /// <param name="session">The session.</param>
    /// <param name="values">The column values.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The inserted row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="PostgresException">A constraint rejected the row.</exception>
    public Task<TRow> CreateAsync(IPgSession session, object values, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(session, (table: this, values), static (c, a, ct) => a.table.CreateAsync(c, a.values, ct), cancellationToken);

    /// <summary>Full update of the row with <paramref name="key"/> on the session's connection.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="row">The new state of the row.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The updated row, or <see langword="null"/> when no row has <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="PostgresException">A constraint rejected the row.</exception>
    public Task<TRow?> UpdateAsync(IPgSession session, TKey key, TRow row, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(session, (table: this, key, row), static (c, a, ct) => a.table.UpdateAsync(c, a.key, a.row, ct), cancellationToken);

    /// <summary>Partial update of the row with <paramref name="key"/> on the session's connection.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="changes">Column name to new value.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The updated row, or <see langword="null"/> when no row has <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="changes"/> is empty.</exception>
    /// <exception cref="PostgresException">A constraint rejected the row.</exception>
    public Task<TRow?> PatchAsync(IPgSession session, TKey key, IReadOnlyDictionary<string, object?> changes, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(session, (table: this, key, changes), static (c, a, ct) => a.table.PatchAsync(c, a.key, a.changes, ct), cancellationToken);

    /// <summary>Deletes the row with <paramref name="key"/> on the session's connection.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns><see langword="true"/> when a row was deleted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="PostgresException">The row is still referenced.</exception>
    public Task<bool> DeleteAsync(IPgSession session, TKey key, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(session, (table: this, key), static (c, a, ct) => a.table.DeleteAsync(c, a.key, ct), cancellationToken);
}
