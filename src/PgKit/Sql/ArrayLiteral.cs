using System.Diagnostics.CodeAnalysis;
using System.Collections;
using System.Globalization;
using System.Text;
using PgKit.Mapping;

namespace PgKit.Sql;

/// <summary>
/// Lists sent as a PostgreSQL array literal (<c>{"a","b"}</c>) in a parameter of no declared type, so that PostgreSQL
/// gives it the type its context needs: <c>mood = ANY($1)</c> makes it <c>mood[]</c>, <c>id = ANY($1)</c> on a uuid
/// column <c>uuid[]</c>. Npgsql would send a list of strings or enum labels as <c>text[]</c>, which no enum, uuid or
/// citext column compares with.
/// </summary>
internal static class ArrayLiteral
{
    private const string InterfacesKept =
        "The interface looked for, IEnumerable<T>, is one the value is used through (it is a list PgKit enumerates), and trimming keeps the interface implementations of a type it keeps when the interface is used.";

    /// <summary>Whether a value of this type is a list that a where-map compares with <c>= ANY(...)</c>.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = InterfacesKept)]
    public static bool IsList(Type type)
    {
        if (type == typeof(string) || type == typeof(byte[]) || typeof(IDictionary).IsAssignableFrom(type)
            || type.Namespace?.StartsWith("System.Text.Json", StringComparison.Ordinal) == true)
        {
            return false;
        }

        return type.IsArray || (type.IsGenericType && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)));
    }

    /// <summary>
    /// Whether a list goes as a literal: enums always (Npgsql cannot write an unmapped enum), strings and chars only where
    /// a known column gives the literal its type; everything else as Npgsql's typed arrays.
    /// </summary>
    public static bool NeedsLiteral(object list, bool forColumn)
    {
        var element = ElementType(list.GetType());
        if (element is null || element == typeof(object))
        {
            // An untyped list: decide by its first non-null element.
            foreach (var item in (IEnumerable)list)
            {
                if (item is not null)
                {
                    return item is Enum || (forColumn && item is string or char);
                }
            }

            return false;
        }

        element = Nullable.GetUnderlyingType(element) ?? element;
        return element.IsEnum || (forColumn && (element == typeof(string) || element == typeof(char)));
    }

    /// <summary>The literal for a list of strings, chars or enums (enum values as their PostgreSQL labels).</summary>
    public static string Format(IEnumerable list)
    {
        var text = new StringBuilder("{");
        var first = true;
        foreach (var item in list)
        {
            if (!first)
            {
                text.Append(',');
            }

            first = false;
            var element = item switch
            {
                null or DBNull => null,
                Enum e => EnumLabels.ToLabel(e),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => item.ToString(),
            };
            if (element is null)
            {
                text.Append("NULL");
                continue;
            }

            if (element.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("A list element contains a NUL character (U+0000), which PostgreSQL text cannot store.");
            }

            // Every element quoted, so NULL-looking text, commas, braces and blanks stay data.
            text.Append('"');
            foreach (var c in element)
            {
                if (c is '"' or '\\')
                {
                    text.Append('\\');
                }

                text.Append(c);
            }

            text.Append('"');
        }

        return text.Append('}').ToString();
    }

    // Reflection over a list's interfaces, once per type: lists are parameters on the request path.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Type?> ElementTypes = new();

    private static Type? ElementType(Type type) => ElementTypes.GetOrAdd(type, ElementTypeUncached);

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = InterfacesKept)]
    private static Type? ElementTypeUncached(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?
            .GetGenericArguments()[0];
    }
}
