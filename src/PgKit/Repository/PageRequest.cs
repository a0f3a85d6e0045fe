namespace PgKit;

/// <summary>What <c>Table&lt;TRow, TKey&gt;.ListAsync</c> returns: a filter, an order and a page, by offset or by key (keyset).</summary>
/// <remarks>
/// Offset paging (<see cref="Offset"/>) works with any <see cref="OrderBy"/>; the key is always appended as the last sort
/// column so pages are stable. Keyset paging (<see cref="After"/>) returns the rows whose key is greater than the given
/// one, in ascending key order: it stays fast on deep pages but cannot be combined with <see cref="OrderBy"/> or <see cref="Offset"/>.
/// </remarks>
public sealed class PageRequest
{
    /// <summary>Gets the where-map filter (column = value pairs, ANDed; <see langword="null"/> value: <c>IS NULL</c>), or <see langword="null"/> for every row.</summary>
    public object? Where { get; init; }

    /// <summary>Gets the ordering; the key (ascending) when <see langword="null"/>.</summary>
    public OrderBy? OrderBy { get; init; }

    /// <summary>Gets the page size; 50 by default. Must be at least 1.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>Gets the number of rows to skip (offset paging).</summary>
    public int Offset { get; init; }

    /// <summary>Gets the key of the last row of the previous page (keyset paging), or <see langword="null"/>.</summary>
    public object? After { get; init; }

    /// <summary>Gets a value indicating whether to also count every row matching <see cref="Where"/> (in the same statement).</summary>
    public bool IncludeTotal { get; init; }
}
