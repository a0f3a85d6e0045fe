using System.Diagnostics.CodeAnalysis;
using PgKit.Mapping;

namespace PgKit.Sql;

/// <summary>
/// The columns of a multi-row insert, fixed by the first row, and a reader of each row's values in that order.
/// Rows of the first row's CLR type go through its compiled getters; any other row (dictionaries, mixed types)
/// must have exactly the same columns.
/// </summary>
[RequiresUnreferencedCode(Aot.Reflection)]
[RequiresDynamicCode(Aot.DynamicCode)]
internal sealed class RowShape
{
    private readonly Type firstType;
    private readonly MemberColumn[]? members;

    private RowShape(Type firstType, MemberColumn[]? members, string[] columns)
    {
        this.firstType = firstType;
        this.members = members;
        Columns = columns;
    }

    public string[] Columns { get; }

    public static RowShape Of(object firstRow, string paramName)
    {
        var values = ColumnValues.From(firstRow, paramName, forWrite: true);
        var type = firstRow.GetType();
        var members = firstRow is System.Collections.IDictionary or IReadOnlyDictionary<string, object?> ? null : TypeMetadata.For(type).Writable;
        return new RowShape(type, members, [.. values.Select(v => v.Key)]);
    }

    public void Read(object? row, int index, object?[] into, string paramName)
    {
        if (row is null)
        {
            throw new ArgumentException($"{paramName}[{index}] is null.", paramName);
        }

        if (members is not null && row.GetType() == firstType)
        {
            for (var i = 0; i < members.Length; i++)
            {
                into[i] = members[i].Getter(row);
                ColumnValues.CheckText(Columns[i], into[i], paramName);
            }

            return;
        }

        var values = ColumnValues.From(row, paramName, forWrite: true);
        if (values.Count == Columns.Length)
        {
            var matched = 0;
            for (var i = 0; i < Columns.Length; i++)
            {
                // Same order is the common case; otherwise look the column up.
                var position = string.Equals(values[i].Key, Columns[i], StringComparison.Ordinal) ? i : values.FindIndex(v => v.Key == Columns[i]);
                if (position < 0)
                {
                    break;
                }

                into[i] = values[position].Value;
                matched++;
            }

            if (matched == Columns.Length)
            {
                return;
            }
        }

        throw new ArgumentException(
            $"{paramName}[{index}] has the columns ({string.Join(", ", values.Select(v => v.Key))}) but {paramName}[0] has ({string.Join(", ", Columns)}); every row must have the same columns.",
            paramName);
    }
}
