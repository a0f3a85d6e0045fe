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
        var args = new List<object?>(2);
        var conditions = new List<string>(2);
        if (filterColumn is not null)
        {
            args.Add(filterValue);
            conditions.Add($"{PgIdentifier.Quote(filterColumn)} = ${args.Count}");
        }

        if (page.Cursor is { } cursor)
        {
            args.Add(cursor);
            conditions.Add(page.Descending ? $"id < ${args.Count}" : $"id > ${args.Count}");
        }

        var rows = await db.SelectAsync<T>(
            table,
            conditions.Count == 0 ? "true" : string.Join(" AND ", conditions),
            args,
            page.Descending ? Descending : Ascending,
            page.Limit + 1,
            cancellationToken: cancellationToken);

        return rows.Count > page.Limit
            ? new PageResult<T>(rows.Take(page.Limit).ToList(), idOf(rows[page.Limit - 1]))
            : new PageResult<T>(rows, null);
    }
}
