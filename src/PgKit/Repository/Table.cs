using System.Diagnostics.CodeAnalysis;
using Npgsql;
using PgKit.Mapping;
using PgKit.Sql;

namespace PgKit;

/// <summary>
/// A stateless descriptor of one table with a single-column key, offering CRUD over it. Every method takes the
/// connection (or an <see cref="IPgSession"/>) to run on and issues exactly one SQL statement: no change tracking, no
/// lazy loading, no caching of rows. Instances are immutable and thread-safe; keep one per table (for example as a
/// singleton or a static field) and derive from it to add the table's own queries.
/// </summary>
/// <typeparam name="TRow">The row type (a record or class); its properties map to columns as for the SQL helpers.</typeparam>
/// <typeparam name="TKey">The key's type.</typeparam>
/// <example>
/// <code>
/// public sealed class Authors() : Table&lt;Author, int&gt;("authors")
/// {
///     public Task&lt;Author?&gt; ByEmailAsync(IPgSession db, string email, CancellationToken ct = default)
///         =&gt; db.GetAsync&lt;Author&gt;(Name, new { email }, ct);
/// }
/// </code>
/// </example>
[RequiresUnreferencedCode(Aot.Reflection)]
[RequiresDynamicCode(Aot.DynamicCode)]
public partial class Table<TRow, TKey>
    where TRow : class
    where TKey : notnull
{
    private const string TotalColumn = "__pgkit_total";
    private readonly string keySql;
    private readonly string[] keyColumns;

    // The by-key statements never change for a table, so their text is built once.
    private readonly string getSql;
    private readonly string deleteSql;

    /// <summary>Creates the descriptor.</summary>
    /// <param name="name">The table.</param>
    /// <param name="keyColumn">The key column; by default the column of the <c>[Key]</c> property of <typeparamref name="TRow"/>, else of its <c>Id</c> property.</param>
    /// <param name="entityName">The name used in <see cref="NotFoundException"/> messages; by default the name of <typeparamref name="TRow"/>, for example <c>Author</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No key column was given or found, <typeparamref name="TRow"/> has several <c>[Key]</c> properties, or a name is invalid.</exception>
    public Table(TableName name, string? keyColumn = null, string? entityName = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        var metadata = TypeMetadata.For(typeof(TRow));
        if (keyColumn is null)
        {
            if (metadata.Keys.Length > 1)
            {
                throw new ArgumentException($"{typeof(TRow).Name} has several [Key] properties; Table supports single-column keys only.", nameof(keyColumn));
            }

            keyColumn = metadata.Keys.FirstOrDefault()?.Column
                ?? metadata.Columns.FirstOrDefault(c => c.MemberName.Equals("Id", StringComparison.OrdinalIgnoreCase))?.Column
                ?? throw new ArgumentException($"{typeof(TRow).Name} has no [Key] or Id property: pass keyColumn.", nameof(keyColumn));
        }

        KeyColumn = keyColumn;
        keySql = PgIdentifier.Quote(keyColumn, nameof(keyColumn));
        keyColumns = [.. metadata.Keys.Select(k => k.Column).Append(keyColumn).Distinct(StringComparer.Ordinal)];
        EntityName = string.IsNullOrWhiteSpace(entityName) ? typeof(TRow).Name.Split('`')[0] : entityName;
        getSql = $"SELECT * FROM {name.Sql} WHERE {keySql} = $1 LIMIT 1";
        deleteSql = $"DELETE FROM {name.Sql} WHERE {keySql} = $1";
    }

    /// <summary>Gets the table.</summary>
    public TableName Name { get; }

    /// <summary>Gets the key column.</summary>
    public string KeyColumn { get; }

    /// <summary>Gets the name used in <see cref="NotFoundException"/> messages.</summary>
    public string EntityName { get; }

    /// <summary>Returns the row with <paramref name="key"/>, or <see langword="null"/>.</summary>
    /// <param name="db">The connection or session that runs the statement.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public Task<TRow?> GetAsync(NpgsqlConnection db, TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Executor.FirstAsync<TRow>(db, SqlCall.Key(getSql, key), Executor.First.OrDefault, cancellationToken);
    }

    /// <summary>Returns the row with <paramref name="key"/>, or throws <see cref="NotFoundException"/> ("<c>Author 42 does not exist</c>").</summary>
    /// <param name="db">The connection or session that runs the statement.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="NotFoundException">No row has <paramref name="key"/>.</exception>
    public Task<TRow> GetOrThrowAsync(NpgsqlConnection db, TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Executor.FirstOrNotFoundAsync<TRow, TKey>(db, SqlCall.Key(getSql, key), EntityName, key, cancellationToken);
    }

    /// <summary>Returns one page of rows, filtered and ordered, by offset or keyset (see <see cref="PageRequest"/>).</summary>
    /// <param name="db">The connection or session that runs the statement.</param>
    /// <param name="request">The filter, order and page; the first 50 rows by key when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="PageRequest.After"/> is combined with an ordering or an offset, or the filter is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The limit is below 1 or the offset is negative.</exception>
    public async Task<Page<TRow>> ListAsync(NpgsqlConnection db, PageRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        request ??= new PageRequest();
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Limit, 1, nameof(request));
        ArgumentOutOfRangeException.ThrowIfNegative(request.Offset, nameof(request));
        if (request.After is not null && (request.OrderBy is not null || request.Offset != 0))
        {
            throw new ArgumentException("Keyset paging (After) orders by the key: it cannot be combined with OrderBy or Offset.", nameof(request));
        }

        var statement = new Statement();
        var where = request.Where is null ? null : statement.WhereFragment(ColumnMap.ForWhere(request.Where, nameof(request.Where)));
        statement.Append("SELECT *");
        if (request.IncludeTotal)
        {
            // One statement: the total is an uncorrelated scalar subquery PostgreSQL evaluates once, reusing the filter's parameters.
            statement.Append(", (SELECT count(*) FROM ").Append(Name.Sql).Append(where is null ? string.Empty : " WHERE " + where)
                .Append(") AS ").Append(PgIdentifier.Quote(TotalColumn));
        }

        statement.Append(" FROM ").Append(Name.Sql);
        if (where is not null)
        {
            statement.Append(" WHERE ").Append(where);
        }

        if (request.After is not null)
        {
            statement.Append(where is null ? " WHERE " : " AND ").Append(keySql).Append(" > ").AppendParameter(request.After, forColumn: true);
        }

        statement.Append(" ORDER BY ").Append(request.OrderBy is null ? keySql : request.OrderBy + ", " + keySql);
        statement.Append(" LIMIT ").Append(request.Limit + 1L);
        if (request.Offset > 0)
        {
            statement.Append(" OFFSET ").Append(request.Offset);
        }

        List<TRow> rows;
        long? total = null;
        if (request.IncludeTotal)
        {
            (rows, var count) = await Executor.QueryWithTotalAsync<TRow>(db, SqlCall.From(statement), TotalColumn, cancellationToken).ConfigureAwait(false);
            total = rows.Count > 0 || (request.Offset == 0 && request.After is null)
                ? count
                : await db.CountAsync(Name, request.Where, cancellationToken).ConfigureAwait(false); // Past the end: no row carried the total.
        }
        else
        {
            // The executor's list is a List<T>; paging drops the look-ahead row from it below.
            rows = (List<TRow>)await Executor.QueryAsync<TRow>(db, SqlCall.From(statement), request.Limit + 1L, cancellationToken).ConfigureAwait(false);
        }

        var hasMore = rows.Count > request.Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        return new Page<TRow>(rows, hasMore, total);
    }

    /// <summary>Inserts a row and returns it as stored (defaults and generated keys included).</summary>
    /// <param name="db">The connection or session that runs the statement.</param>
    /// <param name="values">The column values: an anonymous object, a <typeparamref name="TRow"/> or other class (<c>[DatabaseGenerated]</c> properties are skipped), or a dictionary. Leave out keys the database generates.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The inserted row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> has no columns.</exception>
    /// <exception cref="PostgresException">A constraint rejected the row.</exception>
    /// <exception cref="InvalidOperationException">A trigger suppressed the row, so nothing was inserted.</exception>
    public Task<TRow> InsertAsync(NpgsqlConnection db, object values, CancellationToken cancellationToken = default)
        => db.InsertAsync<TRow>(Name, values, cancellationToken);

    /// <summary>
    /// Full update by key (HTTP <c>PUT</c>): writes every mapped column of <paramref name="row"/> except the key columns and <c>[DatabaseGenerated]</c>
    /// ones (a <see langword="null"/> property writes NULL) to the row with <paramref name="key"/>, and returns the stored row.
    /// </summary>
    /// <param name="db">The connection or session that runs the statement.</param>
    /// <param name="key">The key of the row to update.</param>
    /// <param name="row">The new state of the row.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The updated row, or <see langword="null"/> when no row has <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TRow"/> has no column besides the key.</exception>
    /// <exception cref="PostgresException">A constraint rejected the row.</exception>
    public Task<TRow?> ReplaceAsync(NpgsqlConnection db, TKey key, TRow row, CancellationToken cancellationToken = default)
    {
        var set = ColumnValues.From(row, nameof(row), forWrite: true).Where(c => !keyColumns.Contains(c.Key, StringComparer.Ordinal)).ToList();
        if (set.Count == 0)
        {
            throw new ArgumentException($"{typeof(TRow).Name} has no column to update besides the key.", nameof(row));
        }

        return UpdateByKeyAsync(db, key, set, cancellationToken);
    }

    /// <summary>
    /// Partial update by key (HTTP <c>PATCH</c>): writes exactly the entries of <paramref name="changes"/> (keys are column names; a <see langword="null"/>
    /// value writes NULL; absent columns are left alone) to the row with <paramref name="key"/>, and returns the stored row.
    /// </summary>
    /// <param name="db">The connection or session that runs the statement.</param>
    /// <param name="key">The key of the row to update.</param>
    /// <param name="changes">Column name to new value.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The updated row, or <see langword="null"/> when no row has <paramref name="key"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="changes"/> is empty or names an invalid column.</exception>
    /// <exception cref="PostgresException">A constraint rejected the row.</exception>
    public Task<TRow?> PatchAsync(
        NpgsqlConnection db, TKey key, IReadOnlyDictionary<string, object?> changes, CancellationToken cancellationToken = default)
        => UpdateByKeyAsync(db, key, ColumnValues.From(changes, nameof(changes), forWrite: true), cancellationToken);

    /// <summary>Deletes the row with <paramref name="key"/>.</summary>
    /// <param name="db">The connection or session that runs the statement.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The number of rows deleted: 1, or 0 when no row had <paramref name="key"/> (as every <c>DeleteAsync</c> of PgKit returns).</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="PostgresException">The row is still referenced.</exception>
    public Task<long> DeleteAsync(NpgsqlConnection db, TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Executor.ExecuteAsync(db, SqlCall.Key(deleteSql, key), cancellationToken);
    }

    private Task<TRow?> UpdateByKeyAsync(NpgsqlConnection db, TKey key, List<KeyValuePair<string, object?>> set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var statement = new Statement().Append("UPDATE ").Append(Name.Sql).Append(" SET ");
        for (var i = 0; i < set.Count; i++)
        {
            statement.Append(i == 0 ? string.Empty : ", ").AppendColumn(set[i].Key).Append(" = ").AppendParameter(set[i].Value, forColumn: true);
        }

        statement.Append(" WHERE ").Append(keySql).Append(" = ").AppendParameter(key, forColumn: true).Append(" RETURNING *");
        return Executor.FirstAsync<TRow>(db, SqlCall.From(statement), Executor.First.OrDefault, cancellationToken);
    }
}
