using Npgsql;

namespace PgKit;

// The same operations on an IPgSession (the ASP.NET Core layer's per-request Db/Atomic): one-line forwarders that get the
// session's connection and call the NpgsqlConnection method, whose documentation they inherit (see PgSessionExtensions).
public partial class Table<TRow, TKey>
{
    /// <inheritdoc cref="GetAsync(NpgsqlConnection, TKey, CancellationToken)"/>
    public Task<TRow?> GetAsync(IPgSession db, TKey key, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(db, (table: this, key), static (c, a, ct) => a.table.GetAsync(c, a.key, ct), cancellationToken);

    /// <inheritdoc cref="GetOrThrowAsync(NpgsqlConnection, TKey, CancellationToken)"/>
    public Task<TRow> GetOrThrowAsync(IPgSession db, TKey key, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(db, (table: this, key), static (c, a, ct) => a.table.GetOrThrowAsync(c, a.key, ct), cancellationToken);

    /// <inheritdoc cref="ListAsync(NpgsqlConnection, PageRequest, CancellationToken)"/>
    public Task<Page<TRow>> ListAsync(IPgSession db, PageRequest? request = null, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(db, (table: this, request), static (c, a, ct) => a.table.ListAsync(c, a.request, ct), cancellationToken);

    /// <inheritdoc cref="InsertAsync(NpgsqlConnection, object, CancellationToken)"/>
    public Task<TRow> InsertAsync(IPgSession db, object values, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(db, (table: this, values), static (c, a, ct) => a.table.InsertAsync(c, a.values, ct), cancellationToken);

    /// <inheritdoc cref="ReplaceAsync(NpgsqlConnection, TKey, TRow, CancellationToken)"/>
    public Task<TRow?> ReplaceAsync(IPgSession db, TKey key, TRow row, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(db, (table: this, key, row), static (c, a, ct) => a.table.ReplaceAsync(c, a.key, a.row, ct), cancellationToken);

    /// <inheritdoc cref="PatchAsync(NpgsqlConnection, TKey, IReadOnlyDictionary{string, object}, CancellationToken)"/>
    public Task<TRow?> PatchAsync(IPgSession db, TKey key, IReadOnlyDictionary<string, object?> changes, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(db, (table: this, key, changes), static (c, a, ct) => a.table.PatchAsync(c, a.key, a.changes, ct), cancellationToken);

    /// <inheritdoc cref="DeleteAsync(NpgsqlConnection, TKey, CancellationToken)"/>
    public Task<long> DeleteAsync(IPgSession db, TKey key, CancellationToken cancellationToken = default)
        => PgSessionExtensions.Forward(db, (table: this, key), static (c, a, ct) => a.table.DeleteAsync(c, a.key, ct), cancellationToken);
}
