namespace PgKit;

/// <summary>One page of rows returned by <c>Table&lt;TRow, TKey&gt;.ListAsync</c>.</summary>
/// <typeparam name="TRow">The row type.</typeparam>
public sealed class Page<TRow>
{
    /// <summary>Creates a page.</summary>
    /// <param name="items">The rows of the page.</param>
    /// <param name="hasMore">Whether rows follow this page.</param>
    /// <param name="totalCount">The number of rows matching the filter, when it was asked for.</param>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is <see langword="null"/>.</exception>
    public Page(IReadOnlyList<TRow> items, bool hasMore, long? totalCount)
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = items;
        HasMore = hasMore;
        TotalCount = totalCount;
    }

    /// <summary>Gets the rows of the page.</summary>
    public IReadOnlyList<TRow> Items { get; }

    /// <summary>Gets a value indicating whether rows follow this page (PgKit reads one row past the page to know).</summary>
    public bool HasMore { get; }

    /// <summary>Gets the number of rows matching the filter, or <see langword="null"/> unless <see cref="PageRequest.IncludeTotal"/> was set.</summary>
    public long? TotalCount { get; }
}
