using PgKit.Sql;

namespace PgKit;

/// <summary>
/// A validated, optionally schema-qualified table name. Every helper takes one; a <see cref="string"/> converts
/// implicitly through <see cref="Parse(string)"/>, so <c>"authors"</c> and <c>"library.authors"</c> can be passed directly.
/// </summary>
/// <remarks>
/// Names are exact and case-sensitive: PgKit always quotes them. Use the two-argument constructor for a schema or table
/// whose name contains a dot or other unusual characters.
/// </remarks>
public sealed class TableName : IEquatable<TableName>
{
    // Helpers take a TableName and callers pass string literals, so every call would otherwise parse and quote again.
    // Names are few; the cap only guards against a program that makes up table names without end.
    private static readonly ParseCache<TableName> Parsed = new(static text => ParseCore(text));

    /// <summary>Creates a table name with no schema; <paramref name="name"/> is taken literally, dots included.</summary>
    /// <param name="name">The table's name as spelled in the catalog.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid identifier (see <see cref="PgIdentifier.Quote(string)"/>).</exception>
    public TableName(string name)
    {
        Name = name;
        Sql = PgIdentifier.Quote(name, nameof(name));
    }

    /// <summary>Creates a schema-qualified table name; both parts are taken literally.</summary>
    /// <param name="schema">The schema's name as spelled in the catalog.</param>
    /// <param name="name">The table's name as spelled in the catalog.</param>
    /// <exception cref="ArgumentNullException">A part is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A part is not a valid identifier (see <see cref="PgIdentifier.Quote(string)"/>).</exception>
    public TableName(string schema, string name)
    {
        Schema = schema;
        Name = name;
        Sql = string.Concat(PgIdentifier.Quote(schema, nameof(schema)), ".", PgIdentifier.Quote(name, nameof(name)));
    }

    /// <summary>Gets the schema, or <see langword="null"/> when the name is resolved through <c>search_path</c>.</summary>
    public string? Schema { get; }

    /// <summary>Gets the table's name.</summary>
    public string Name { get; }

    /// <summary>Gets the quoted SQL form, for example <c>"library"."authors"</c>.</summary>
    internal string Sql { get; }

    /// <summary>
    /// Parses <c>table</c> or <c>schema.table</c>. The text is split on its dot only when it has exactly one dot and both
    /// parts are simple names (ASCII letters, digits and underscores); anything else is one literal table name.
    /// </summary>
    /// <param name="text">The table name.</param>
    /// <returns>The parsed name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A part is not a valid identifier.</exception>
    public static TableName Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parsed.Get(text);
    }

    private static TableName ParseCore(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && dot == text.LastIndexOf('.') && PgIdentifier.IsSimple(text.AsSpan(0, dot)) && PgIdentifier.IsSimple(text.AsSpan(dot + 1)))
        {
            return new TableName(text[..dot], text[(dot + 1)..]);
        }

        return new TableName(text);
    }

    /// <summary>Parses <paramref name="text"/> with <see cref="Parse(string)"/>.</summary>
    /// <param name="text">The table name.</param>
    /// <returns>The parsed name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A part is not a valid identifier.</exception>
    public static TableName FromString(string text) => Parse(text);

    /// <summary>Parses <paramref name="text"/> with <see cref="Parse(string)"/>.</summary>
    /// <param name="text">The table name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A part is not a valid identifier.</exception>
    public static implicit operator TableName(string text) => Parse(text);

    /// <summary>Returns the quoted SQL form, for example <c>"library"."authors"</c>.</summary>
    /// <returns>The quoted name.</returns>
    public override string ToString() => Sql;

    /// <inheritdoc />
    public bool Equals(TableName? other) => other is not null && string.Equals(Sql, other.Sql, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TableName);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Sql);
}
