using PgKit.Sql;

namespace PgKit;

/// <summary>
/// A validated, optionally schema-qualified table name. Every helper takes one; made from a <see cref="string"/>
/// (implicitly: <c>"authors"</c>, <c>"library.authors"</c>), or, for names a string cannot spell, with
/// <see cref="TableName(string, string)"/>.
/// </summary>
/// <remarks>
/// Names are exact and case-sensitive: PgKit always quotes them. Use the constructor for a schema or table whose name
/// contains a dot.
/// </remarks>
public sealed class TableName : IEquatable<TableName>
{
    // Helpers take a TableName and callers pass string literals, so every call would otherwise parse and quote again.
    // Names are few; the cap only guards against a program that makes up table names without end.
    private static readonly ParseCache<TableName> Parsed = new(static text => ParseCore(text));

    /// <summary>
    /// Creates a table name from its parts, each taken literally (dots included): for names that a string cannot spell,
    /// such as a table whose name contains a dot. Everywhere else, pass a string (see the implicit conversion).
    /// </summary>
    /// <param name="schema">The schema's name as spelled in the catalog, or <see langword="null"/> to resolve the table through <c>search_path</c>.</param>
    /// <param name="name">The table's name as spelled in the catalog.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A part is not a valid identifier (see <see cref="PgIdentifier.Quote(string)"/>).</exception>
    public TableName(string? schema, string name)
    {
        Schema = schema;
        Name = name;
        Sql = schema is null
            ? PgIdentifier.Quote(name, nameof(name))
            : string.Concat(PgIdentifier.Quote(schema, nameof(schema)), ".", PgIdentifier.Quote(name, nameof(name)));
    }

    /// <summary>Gets the schema, or <see langword="null"/> when the name is resolved through <c>search_path</c>.</summary>
    public string? Schema { get; }

    /// <summary>Gets the table's name.</summary>
    public string Name { get; }

    /// <summary>Gets the quoted SQL form, for example <c>"library"."authors"</c>.</summary>
    internal string Sql { get; }

    private static TableName ParseCore(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && dot == text.LastIndexOf('.') && PgIdentifier.IsSimple(text.AsSpan(0, dot)) && PgIdentifier.IsSimple(text.AsSpan(dot + 1)))
        {
            return new TableName(text[..dot], text[(dot + 1)..]);
        }

        return new TableName(null, text);
    }

    /// <summary>
    /// The way to name a table: <c>"authors"</c> or <c>"library.authors"</c>. The text is split on its dot only when it
    /// has exactly one dot and both parts are simple names (ASCII letters, digits and underscores); anything else is
    /// one literal table name. Parsed once per distinct text and cached.
    /// </summary>
    /// <param name="text">The table name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A part is not a valid identifier.</exception>
    public static implicit operator TableName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parsed.Get(text);
    }

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
