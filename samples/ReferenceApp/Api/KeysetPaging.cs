using PgKit;

namespace ReferenceApp.Api;

/// <summary>Reads one <see cref="PageQuery"/> page of a table whose key is the bigint <c>id</c>, in one SELECT.</summary>
internal static class KeysetPaging
{
    private static readonly OrderBy Ascending = OrderBy.Asc("id");
    private static readonly OrderBy Descending = OrderBy.Desc("id");

    /// <summary>
    /// <c>SELECT * FROM table WHERE [column = $1 AND] [id &gt; $n] ORDER BY id LIMIT limit + 1</c>: the extra row
    /// only tells whether a next page exists.
    /// </summary>
    public static async Task<PageResult<T>> PageAsync<T>(
        this IPgSession db, TableName table, PageQuery page, Func<T, long> idOf, string? filterColumn, object? filterValue, CancellationToken cancellationToken)
    {
        // At most two conditions: the filter ($1) and the cursor (the next placeholder). The SQL text is the same for
        // every request of one shape, so PgKit's statement cache and Npgsql's prepared statements serve it each time.
        object?[] args = (filterColumn, page.Cursor) switch
        {
            (null, null) => [],
            (null, { } cursor) => [cursor],
            (not null, null) => [filterValue],
            (not null, { } cursor) => [filterValue, cursor],
        };
        var keyset = page.Cursor is null ? null : (page.Descending ? "id < $" : "id > $") + args.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var filter = filterColumn is null ? null : PgIdentifier.Quote(filterColumn) + " = $1";
        var condition = (filter, keyset) switch
        {
            (null, null) => "true",
            (not null, null) => filter,
            (null, not null) => keyset,
            _ => filter + " AND " + keyset,
        };

        var rows = await db.SelectAsync<T>(
            table, condition, args, page.Descending ? Descending : Ascending, page.Limit + 1, cancellationToken: cancellationToken);
        if (rows.Count <= page.Limit)
        {
            return new PageResult<T>(rows, null);
        }

        var next = idOf(rows[page.Limit - 1]);
        if (rows is List<T> list)
        {
            list.RemoveAt(page.Limit); // the extra row only said that more follow
            return new PageResult<T>(list, next);
        }

        return new PageResult<T>(rows.Take(page.Limit).ToList(), next);
    }
}
