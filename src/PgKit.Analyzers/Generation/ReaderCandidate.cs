using System.Text;

namespace PgKit.Analyzers.Generation;

/// <summary>How a generated reader builds its row.</summary>
internal enum RowShape
{
    /// <summary>The first column is the row (<c>FetchAsync&lt;int&gt;</c>).</summary>
    Scalar,

    /// <summary>A value tuple, filled by position.</summary>
    Tuple,

    /// <summary>A constructor call, its parameters filled by column name.</summary>
    Constructor,

    /// <summary>An object initializer, its settable properties filled by column name.</summary>
    Properties,
}

/// <summary>
/// One constant statement and the row type a call reads it into, reduced to plain strings: the value an incremental
/// generator caches, so editing unrelated code does not regenerate readers. Compared by value.
/// </summary>
internal sealed class ReaderCandidate : IEquatable<ReaderCandidate>
{
    private readonly string identity;

    public ReaderCandidate(string sql, string rowType, string runtimeType, string rowDisplay, RowShape shape, IReadOnlyList<ReaderMember> members)
    {
        Sql = sql;
        RowType = rowType;
        RuntimeType = runtimeType;
        RowDisplay = rowDisplay;
        Shape = shape;
        Members = members;
        var builder = new StringBuilder().Append(sql).Append('\u0001').Append(rowType).Append('\u0001').Append(runtimeType).Append('\u0001').Append(rowDisplay).Append('\u0001').Append((int)shape);
        foreach (var member in members)
        {
            builder.Append('\u0001').Append(member.Name).Append('\u0002').Append(member.Column).Append('\u0002').Append(member.Key)
                .Append('\u0002').Append(member.TypeName).Append('\u0002').Append(member.IsNullable).Append('\u0002').Append(member.IsReference);
        }

        identity = builder.ToString();
    }

    public string Sql { get; }

    /// <summary>Gets the row type as the generated code names it (fully qualified, with nullable annotations): the <c>T</c> of <c>RowReader&lt;T&gt;</c>.</summary>
    public string RowType { get; }

    /// <summary>Gets the row type without nullable reference annotations: <c>Author</c> and <c>Author?</c> are one type at run time.</summary>
    public string RuntimeType { get; }

    /// <summary>Gets the row type's short name, for messages.</summary>
    public string RowDisplay { get; }

    public RowShape Shape { get; }

    public IReadOnlyList<ReaderMember> Members { get; }

    /// <summary>Gets the key that makes two calls share one reader: the same SQL read into the same runtime type.</summary>
    public string ReaderKey => Sql + "\u0001" + RuntimeType;

    public bool Equals(ReaderCandidate? other) => other is not null && identity == other.identity;

    public override bool Equals(object? obj) => Equals(obj as ReaderCandidate);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(identity);
}

/// <summary>One value a generated reader reads: a constructor parameter, a property, a tuple element or the scalar row.</summary>
internal sealed class ReaderMember
{
    public ReaderMember(string name, string? column, string key, string typeName, bool isNullable, bool isReference)
    {
        Name = name;
        Column = column;
        Key = key;
        TypeName = typeName;
        IsNullable = isNullable;
        IsReference = isReference;
    }

    /// <summary>Gets the C# name (a property for <see cref="RowShape.Properties"/>).</summary>
    public string Name { get; }

    /// <summary>Gets the column the member is filled from by name, or <see langword="null"/> for a positional one.</summary>
    public string? Column { get; }

    /// <summary>Gets the <see cref="ColumnReads.KeyOf"/> of the member's type.</summary>
    public string Key { get; }

    /// <summary>Gets the member's type, fully qualified, without <c>?</c> (the underlying type of a <c>Nullable&lt;T&gt;</c>).</summary>
    public string TypeName { get; }

    /// <summary>Gets a value indicating whether the member can hold NULL (<c>Nullable&lt;T&gt;</c> or an annotated reference type).</summary>
    public bool IsNullable { get; }

    public bool IsReference { get; }
}
