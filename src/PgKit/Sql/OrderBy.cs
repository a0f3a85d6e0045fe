using System.Text;
using PgKit.Sql;

namespace PgKit;

/// <summary>
/// An <c>ORDER BY</c> list of quoted column names. Build it with <see cref="Asc(string)"/>/<see cref="Desc(string)"/>
/// and <see cref="ThenAsc(string)"/>/<see cref="ThenDesc(string)"/>, or pass a string such as <c>"created_at DESC, id"</c>
/// (converted implicitly).
/// </summary>
/// <remarks>Instances are immutable. Column names are always quoted, never pasted: a string cannot smuggle SQL into the clause.</remarks>
public sealed class OrderBy
{
    // Orderings are usually literals passed on every call; parse each once (see ParseCache for the bound).
    private static readonly ParseCache<OrderBy> Parsed = new(static text => ParseCore(text));

    private readonly string sql;

    private OrderBy(string sql) => this.sql = sql;

    /// <summary>Orders by <paramref name="column"/> ascending.</summary>
    /// <param name="column">The column's exact name.</param>
    /// <returns>The ordering.</returns>
    /// <exception cref="ArgumentException"><paramref name="column"/> is not a valid identifier.</exception>
    public static OrderBy Asc(string column) => new(PgIdentifier.Quote(column, nameof(column)));

    /// <summary>Orders by <paramref name="column"/> descending.</summary>
    /// <param name="column">The column's exact name.</param>
    /// <returns>The ordering.</returns>
    /// <exception cref="ArgumentException"><paramref name="column"/> is not a valid identifier.</exception>
    public static OrderBy Desc(string column) => new(PgIdentifier.Quote(column, nameof(column)) + " DESC");

    /// <summary>Adds <paramref name="column"/> ascending as the next sort key.</summary>
    /// <param name="column">The column's exact name.</param>
    /// <returns>A new ordering.</returns>
    /// <exception cref="ArgumentException"><paramref name="column"/> is not a valid identifier.</exception>
    public OrderBy ThenAsc(string column) => new(sql + ", " + PgIdentifier.Quote(column, nameof(column)));

    /// <summary>Adds <paramref name="column"/> descending as the next sort key.</summary>
    /// <param name="column">The column's exact name.</param>
    /// <returns>A new ordering.</returns>
    /// <exception cref="ArgumentException"><paramref name="column"/> is not a valid identifier.</exception>
    public OrderBy ThenDesc(string column) => new(sql + ", " + PgIdentifier.Quote(column, nameof(column)) + " DESC");

    private static OrderBy ParseCore(string text)
    {
        var sb = new StringBuilder();
        foreach (var raw in text.Split(','))
        {
            var item = raw.Trim();
            var descending = false;
            if (item.EndsWith(" desc", StringComparison.OrdinalIgnoreCase))
            {
                descending = true;
                item = item[..^5].TrimEnd();
            }
            else if (item.EndsWith(" asc", StringComparison.OrdinalIgnoreCase))
            {
                item = item[..^4].TrimEnd();
            }

            if (item.Length == 0)
            {
                throw new ArgumentException($"The ordering {PgIdentifier.Display(text)} has an empty item.", nameof(text));
            }

            if (sb.Length > 0)
            {
                sb.Append(", ");
            }

            sb.Append(PgIdentifier.Quote(item, nameof(text)));
            if (descending)
            {
                sb.Append(" DESC");
            }
        }

        return new OrderBy(sb.ToString());
    }

    /// <summary>
    /// Parses a comma-separated list of <c>column [ASC|DESC]</c> items, for example <c>"created_at DESC, id"</c>. Each
    /// column is trimmed and taken literally (then quoted); a column whose name contains a comma needs
    /// <see cref="Asc(string)"/> or <see cref="Desc(string)"/>. Parsed once per distinct text and cached.
    /// </summary>
    /// <param name="text">The list.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An item is empty or names an invalid identifier.</exception>
    public static implicit operator OrderBy(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parsed.Get(text);
    }

    /// <summary>Returns the SQL of the list (without the <c>ORDER BY</c> keywords).</summary>
    /// <returns>The quoted list, for example <c>"created_at" DESC, "id"</c>.</returns>
    public override string ToString() => sql;
}
