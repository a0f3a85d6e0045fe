using System.Collections;
using Dapper;

namespace PgKit.Mapping;

/// <summary>Decides how a result type is materialized: as a single value, as a tuple by position, or as a row by name.</summary>
internal static class TypeKinds
{
    private static readonly HashSet<string> ScalarNamespaces = new(StringComparer.Ordinal)
    {
        "System.Text.Json", "System.Text.Json.Nodes", "System.Numerics", "System.Net", "System.Net.NetworkInformation", "NpgsqlTypes",
    };

    /// <summary>True for types read from the first column as one value (numbers, strings, dates, arrays, JSON documents...).</summary>
    public static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
            || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(TimeSpan)
            || type == typeof(Guid) || type.IsArray || typeof(IEnumerable).IsAssignableFrom(type)
            || (type.Namespace is { } ns && ScalarNamespaces.Contains(ns));
    }

    /// <summary>
    /// True for an application's own record, class or struct (and lists of them), which PgKit writes to and reads from
    /// json and jsonb columns as JSON: no type of .NET, Npgsql or NodaTime, no scalar, no Dapper-handled type.
    /// </summary>
    public static bool IsJsonObject(Type type) => JsonObjects.GetOrAdd(type, IsJsonObjectUncached);

    // Asked for every parameter value on the request path: the answer depends on the type alone, so it is cached.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> JsonObjects = new();

    private static bool IsJsonObjectUncached(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray)
        {
            return type != typeof(byte[]) && IsJsonObjectUncached(type.GetElementType()!);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>) || definition == typeof(IEnumerable<>)))
        {
            return IsJsonObjectUncached(type.GetGenericArguments()[0]);
        }

        var ns = type.Namespace ?? string.Empty;
        return !IsScalar(type) && !IsValueTuple(type) && type != typeof(object) && !type.IsPointer
            && !ns.StartsWith("System", StringComparison.Ordinal) && !ns.StartsWith("Microsoft", StringComparison.Ordinal)
            && !ns.StartsWith("Npgsql", StringComparison.Ordinal) && !ns.StartsWith("NodaTime", StringComparison.Ordinal)
            && !type.Name.Contains("AnonymousType", StringComparison.Ordinal)
            && !HasDapperHandler(type);
    }

    public static bool IsValueTuple(Type type)
        => type.IsValueType && type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true;

    /// <summary>True when the application registered a Dapper type handler for <paramref name="type"/>; Dapper then converts it.</summary>
    public static bool HasDapperHandler(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
#pragma warning disable CS0618 // LookupDbType is Dapper's only public way to ask whether a type handler is registered.
        SqlMapper.LookupDbType(type, type.Name, false, out var handler);
#pragma warning restore CS0618
        return handler is not null;
    }
}
