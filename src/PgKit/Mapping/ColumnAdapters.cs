using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Npgsql;

namespace PgKit.Mapping;

/// <summary>
/// Reads one column as a given CLR type when Npgsql's default (<c>GetValue</c>) type differs from the target:
/// enums from text labels or integers, numeric widening/narrowing, and everything Npgsql reads natively through
/// <c>GetFieldValue&lt;T&gt;</c> (DateTimeOffset from timestamptz, JsonDocument/JsonElement from json(b), List&lt;T&gt; from arrays...).
/// </summary>
internal static class ColumnAdapters
{
    private static readonly ConcurrentDictionary<Type, Func<NpgsqlDataReader, int, object>> FieldValueReaders = new();

    private static readonly MethodInfo ReadFieldValueMethod =
        typeof(ColumnAdapters).GetMethod(nameof(ReadFieldValue), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Returns null when the column can be read with <c>GetValue</c> as it is.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Func<NpgsqlDataReader, int, object>? For(Type target, Type fieldType)
        => Converting(target, fieldType, out var adapter)
            ? adapter
            : FieldValueReaders.GetOrAdd(
                Nullable.GetUnderlyingType(target) ?? target,
                static t => ReadFieldValueMethod.MakeGenericMethod(t).CreateDelegate<Func<NpgsqlDataReader, int, object>>());

    /// <summary>
    /// As <see cref="For(Type, Type)"/> for a target known at compile time: Npgsql's own conversions are then called
    /// through <see cref="NpgsqlDataReader.GetFieldValue{T}(int)"/> directly, with no generic method made at run time.
    /// </summary>
    public static Func<NpgsqlDataReader, int, object>? For<T>(Type fieldType)
        => Converting(typeof(T), fieldType, out var adapter) ? adapter : static (r, i) => r.GetFieldValue<T>(i)!;

    // The conversions PgKit does itself (enum labels, JSON, numbers); false when Npgsql's GetFieldValue<T> should read it.
    private static bool Converting(Type target, Type fieldType, out Func<NpgsqlDataReader, int, object>? adapter)
    {
        target = Nullable.GetUnderlyingType(target) ?? target;
        adapter = null;
        if (target == fieldType || target == typeof(object))
        {
            return true;
        }

        if (target.IsEnum)
        {
            adapter = fieldType == typeof(string)
                ? (r, i) => EnumLabels.Parse(target, r.GetString(i))
                : (r, i) => Enum.ToObject(target, r.GetValue(i));
            return true;
        }

        if (fieldType == typeof(string) && TypeKinds.IsJsonObject(target))
        {
            // json and jsonb arrive as text: an app's own type is read from it as JSON, as PgKit writes it.
            adapter = (r, i) => PgJson.Deserialize(r.GetString(i), target);
            return true;
        }

        if (IsConvertible(target) && IsConvertible(fieldType))
        {
            adapter = (r, i) => Convert.ChangeType(r.GetValue(i), target, CultureInfo.InvariantCulture);
            return true;
        }

        return false;
    }

    /// <summary>Whether <paramref name="adapter"/> only reads the column as its target type (Npgsql converts), with no conversion of its own.</summary>
    public static bool ReadsFieldValue(Func<NpgsqlDataReader, int, object> adapter) =>
        adapter.Method.IsGenericMethod && adapter.Method.GetGenericMethodDefinition() == ReadFieldValueMethod;

    private static bool IsConvertible(Type type) => type.IsPrimitive || type == typeof(decimal) || type == typeof(string);

    private static object ReadFieldValue<T>(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<T>(ordinal)!;
}
