namespace PgKit;

// The same operations on an IPgSession (the ASP.NET Core layer's per-request Db/Atomic): get its connection, forward.
public partial class Table<TRow, TKey>
{
    /// <summary>Returns the row with <paramref name="key"/>, or <see langword="null"/>, on the session's connection.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public async Task<TRow?> GetAsync(IPgSession session, TKey key, CancellationToken cancellationToken = default)
        => await GetAsync(await Connect(session, cancellationToken).ConfigureAwait(false), key, cancellationToken).ConfigureAwait(false);

    /// <summary>Returns the row with <paramref name="key"/> on the session's connection, or throws <see cref="NotFoundException"/>.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="NotFoundException">No row has <paramref name="key"/>.</exception>
    public async Task<TRow> GetOrThrowAsync(IPgSession session, TKey key, CancellationToken cancellationToken = default)
        => await GetOrThrowAsync(await Connect(session, cancellationToken).ConfigureAwait(false), key, cancellationToken).ConfigureAwait(false);

    /// <summary>Returns one page of rows on the session's connection (see <see cref="PageRequest"/>).</summary>
    /// <param name="session">The session.</param>
    /// <param name="request">The filter, order and page.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The request is inconsistent.</exception>
    public async Task<Page<TRow>> ListAsync(IPgSession session, PageRequest? request = null, CancellationToken cancellationToken = default)
        => await ListAsync(await Connect(session, cancellationToken).ConfigureAwait(false), request, cancellationToken).ConfigureAwait(false);

    /// <summary>Inserts a row on the session's connection and returns it as stored.</summary>
    /// <param name="session">The session.</param>
    /// <param name="values">The column values.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The inserted row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="PgKitDbException">A constraint rejected the row.</exception>
    public async Task<TRow> CreateAsync(IPgSession session, object values, CancellationToken cancellationToken = default)
        => await CreateAsync(await Connect(session, cancellationToken).ConfigureAwait(false), values, cancellationToken).ConfigureAwait(false);

    /// <summary>Full update of the row with <paramref name="key"/> on the session's connection.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="row">The new state of the row.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The updated row, or <see langword="null"/> when no row has <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="PgKitDbException">A constraint rejected the row.</exception>
    public async Task<TRow?> UpdateAsync(IPgSession session, TKey key, TRow row, CancellationToken cancellationToken = default)
        => await UpdateAsync(await Connect(session, cancellationToken).ConfigureAwait(false), key, row, cancellationToken).ConfigureAwait(false);

    /// <summary>Partial update of the row with <paramref name="key"/> on the session's connection.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="changes">Column name to new value.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The updated row, or <see langword="null"/> when no row has <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="changes"/> is empty.</exception>
    /// <exception cref="PgKitDbException">A constraint rejected the row.</exception>
    public async Task<TRow?> PatchAsync(IPgSession session, TKey key, IReadOnlyDictionary<string, object?> changes, CancellationToken cancellationToken = default)
        => await PatchAsync(await Connect(session, cancellationToken).ConfigureAwait(false), key, changes, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the row with <paramref name="key"/> on the session's connection.</summary>
    /// <param name="session">The session.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns><see langword="true"/> when a row was deleted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ForeignKeyViolationException">The row is still referenced.</exception>
    public async Task<bool> DeleteAsync(IPgSession session, TKey key, CancellationToken cancellationToken = default)
        => await DeleteAsync(await Connect(session, cancellationToken).ConfigureAwait(false), key, cancellationToken).ConfigureAwait(false);

    private static ValueTask<Npgsql.NpgsqlConnection> Connect(IPgSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.GetConnectionAsync(cancellationToken);
    }
}
