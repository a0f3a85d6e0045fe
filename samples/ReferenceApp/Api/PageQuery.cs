namespace ReferenceApp.Api;

/// <summary>
/// The paging parameters of the list endpoints: keyset pages ordered by id (ascending by default), each starting
/// after the <c>cursor</c>, the id of the previous page's last row. Unlike offset paging, a deep page costs what the
/// first one does, and rows inserted meanwhile neither repeat nor vanish.
/// </summary>
/// <param name="Limit">Rows per page.</param>
/// <param name="Cursor">The id of the previous page's last row, or <see langword="null"/> for the first page.</param>
/// <param name="Descending">Whether ids go down (newest first).</param>
internal readonly record struct PageQuery(int Limit, long? Cursor, bool Descending)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>Reads the query-string values; violations go to <paramref name="validator"/>.</summary>
    public static PageQuery From(PageParameters parameters, Validator validator)
    {
        validator
            .Require(parameters.Limit is null or (>= 1 and <= MaxLimit), "limit", $"limit must be between 1 and {MaxLimit}.")
            .Require(parameters.Order is null or "asc" or "desc", "order", "order must be asc or desc.");
        return new PageQuery(parameters.Limit ?? DefaultLimit, parameters.Cursor, parameters.Order == "desc");
    }
}
