using System.Diagnostics.CodeAnalysis;
using System.Collections;
using PgKit.Mapping;

namespace PgKit.Sql;

/// <summary>
/// Turns a "values" argument (an anonymous object, a record or class, or a dictionary of column names) into an
/// ordered list of (column, value) pairs. Dictionary keys are exact column names; properties go through the type's
/// cached <see cref="TypeMetadata"/> (naming convention, <c>[Column]</c>, <c>[NotMapped]</c>).
/// </summary>
internal static class ColumnValues
{
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static List<KeyValuePair<string, object?>> From(object? values, string paramName, bool forWrite)
    {
        ArgumentNullException.ThrowIfNull(values, paramName);
        List<KeyValuePair<string, object?>> result;
        switch (values)
        {
            case IReadOnlyDictionary<string, object?> map:
                result = new List<KeyValuePair<string, object?>>(map.Count);
                foreach (var pair in map)
                {
                    PgIdentifier.Validate(pair.Key, paramName);
                    CheckText(pair.Key, pair.Value, paramName);
                    result.Add(pair);
                }

                break;
            case IDictionary map:
                result = new List<KeyValuePair<string, object?>>(map.Count);
                foreach (DictionaryEntry entry in map)
                {
                    if (entry.Key is not string key)
                    {
                        throw new ArgumentException($"{paramName} is a dictionary whose keys are not strings; keys must be column names.", paramName);
                    }

                    PgIdentifier.Validate(key, paramName);
                    CheckText(key, entry.Value, paramName);
                    result.Add(new(key, entry.Value));
                }

                break;
            default:
                var type = values.GetType();
                if (TypeKinds.IsScalar(type))
                {
                    throw new ArgumentException(
                        $"{paramName} is a {type.Name}; pass an anonymous object, a record or class, or an IReadOnlyDictionary<string, object?> of column values.",
                        paramName);
                }

                var metadata = TypeMetadata.For(type);
                var members = forWrite ? metadata.Writable : metadata.Columns;
                result = new List<KeyValuePair<string, object?>>(members.Length);
                foreach (var member in members)
                {
                    var value = member.Getter(values);
                    CheckText(member.Column, value, paramName);
                    result.Add(new(member.Column, value));
                }

                break;
        }

        if (result.Count == 0)
        {
            throw new ArgumentException($"{paramName} has no columns: pass at least one property or dictionary entry.", paramName);
        }

        return result;
    }

    /// <summary>
    /// PostgreSQL text cannot hold U+0000; fail with the column's name (never the value, which may be private) instead of
    /// PostgreSQL's encoding error.
    /// </summary>
    public static void CheckText(string column, object? value, string paramName)
    {
        if (value is string s && s.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The value for column {PgIdentifier.Display(column)} contains a NUL character (U+0000), which PostgreSQL text cannot store.",
                paramName);
        }
    }
}
