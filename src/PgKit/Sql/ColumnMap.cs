using System.Diagnostics.CodeAnalysis;
using System.Collections;
using PgKit.Mapping;

namespace PgKit.Sql;

/// <summary>
/// A column map argument (<c>where</c>, <c>values</c>, <c>set</c>) read without copying: an object's mapped properties
/// through its cached <see cref="TypeMetadata"/>, or a dictionary's entries (see <see cref="ColumnValues"/>). For an object,
/// the statement's text depends only on the type and on which properties are NULL (<c>IS NULL</c> in a where-map), so
/// <see cref="Type"/> and <see cref="Nulls"/> key the SQL cache.
/// </summary>
internal readonly struct ColumnMap
{
    private readonly MemberColumn[]? members;
    private readonly List<KeyValuePair<string, object?>>? pairs;

    private ColumnMap(object source, string paramName, MemberColumn[]? members, List<KeyValuePair<string, object?>>? pairs, ulong nulls)
    {
        Source = source;
        ParamName = paramName;
        this.members = members;
        this.pairs = pairs;
        Nulls = nulls;
    }

    /// <summary>Gets the user's object or dictionary.</summary>
    public object Source { get; }

    public string ParamName { get; }

    public int Count => members?.Length ?? pairs!.Count;

    /// <summary>Gets the object's type when the map is an object whose shape can be cached; <see langword="null"/> for dictionaries.</summary>
    public Type? Type => members is null ? null : Source.GetType();

    /// <summary>Gets the bit mask of the where-map's NULL properties (bit i: property i); 0 for a values map.</summary>
    public ulong Nulls { get; }

    public bool IsCacheable => members is not null;

    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static ColumnMap ForWhere(object where, string paramName) => Create(where, paramName, forWrite: false);

    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static ColumnMap ForValues(object values, string paramName) => Create(values, paramName, forWrite: true);

    public string Column(int i) => members is null ? pairs![i].Key : members[i].Column;

    public bool IsNull(int i) => members is null ? pairs![i].Value is null or DBNull : (Nulls & (1UL << i)) != 0;

    /// <summary>Whether entry <paramref name="i"/> is a list (compared with <c>= ANY</c>): by the property's type, so a cached statement's text holds for every instance.</summary>
    public bool IsList(int i) => members is null ? pairs![i].Value is { } value && ArrayLiteral.IsList(value.GetType()) : ArrayLiteral.IsList(members[i].Type);

    /// <summary>Gets member <paramref name="i"/> of an object map (for the parameter slots of a cached statement).</summary>
    public MemberColumn Member(int i) => members![i];

    /// <summary>Gets the value of entry <paramref name="i"/> of a dictionary map.</summary>
    public object? Value(int i) => members is null ? pairs![i].Value : members[i].Getter(Source);

    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    private static ColumnMap Create(object source, string paramName, bool forWrite)
    {
        ArgumentNullException.ThrowIfNull(source, paramName);
        if (source is IReadOnlyDictionary<string, object?> or IDictionary)
        {
            return new ColumnMap(source, paramName, null, ColumnValues.From(source, paramName, forWrite), 0);
        }

        var metadata = TypeMetadata.For(source.GetType());
        var members = forWrite ? metadata.Writable : metadata.Columns;

        // A mask bit per property: wider objects than 64 properties are read as a list instead (never cached).
        if (metadata.IsScalar || members.Length == 0 || members.Length > 64)
        {
            return new ColumnMap(source, paramName, null, ColumnValues.From(source, paramName, forWrite), 0);
        }

        ulong nulls = 0;
        if (!forWrite)
        {
            for (var i = 0; i < members.Length; i++)
            {
                if (members[i].IsNull is { } isNull && isNull(source))
                {
                    nulls |= 1UL << i;
                }
            }
        }

        return new ColumnMap(source, paramName, members, null, nulls);
    }
}
