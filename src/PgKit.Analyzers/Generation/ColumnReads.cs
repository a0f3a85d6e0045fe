using Microsoft.CodeAnalysis;

namespace PgKit.Analyzers.Generation;

/// <summary>
/// The pairs of a column type (as <c>format_type</c> writes it in <c>pgkit-sql.json</c>) and a C# type that a generated
/// reader reads with Npgsql's own getter, exactly as the reflection mapper would, and the built-in type OIDs that
/// <c>CheckColumns</c> compares. Anything else (enums, JSON into an app's type, widening conversions, extension types
/// whose OID differs per database) is left to the reflection mapper: no reader is generated for that statement.
/// </summary>
internal static class ColumnReads
{
    /// <summary>The OIDs of the built-in types, fixed by PostgreSQL's catalog (pg_type.dat), the same in every database.</summary>
    private static readonly Dictionary<string, uint> BuiltInOids = new(StringComparer.Ordinal)
    {
        ["boolean"] = 16, ["bytea"] = 17, ["name"] = 19, ["bigint"] = 20, ["smallint"] = 21, ["integer"] = 23, ["text"] = 25,
        ["json"] = 114, ["real"] = 700, ["double precision"] = 701, ["character"] = 1042, ["character varying"] = 1043,
        ["date"] = 1082, ["time without time zone"] = 1083, ["timestamp without time zone"] = 1114, ["timestamp with time zone"] = 1184,
        ["interval"] = 1186, ["numeric"] = 1700, ["uuid"] = 2950, ["jsonb"] = 3802,
        ["boolean[]"] = 1000, ["bytea[]"] = 1001, ["name[]"] = 1003, ["smallint[]"] = 1005, ["integer[]"] = 1007, ["text[]"] = 1009,
        ["character[]"] = 1014, ["character varying[]"] = 1015, ["bigint[]"] = 1016, ["real[]"] = 1021, ["double precision[]"] = 1022,
        ["json[]"] = 199, ["date[]"] = 1182, ["time without time zone[]"] = 1183, ["timestamp without time zone[]"] = 1115,
        ["timestamp with time zone[]"] = 1185, ["interval[]"] = 1187, ["numeric[]"] = 1231, ["uuid[]"] = 2951, ["jsonb[]"] = 3807,
    };

    /// <summary>The built-in OID of <paramref name="pgType"/>, or 0 for a type whose OID is not fixed.</summary>
    public static uint OidOf(string pgType) => BuiltInOids.TryGetValue(pgType, out var oid) ? oid : 0;

    /// <summary>
    /// The key of a C# type a generated reader can read (<c>int</c>, <c>string</c>, <c>Guid</c>, <c>int[]</c>, ...), or
    /// <see langword="null"/> for any other type. <c>Nullable&lt;T&gt;</c> gives its underlying type's key.
    /// </summary>
    public static string? KeyOf(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType: var element })
        {
            if (element.SpecialType == SpecialType.System_Byte)
            {
                return "byte[]";
            }

            // Arrays of non-nullable elements only: a NULL element then fails loudly in Npgsql, as with the reflection mapper.
            return element.IsValueType && element.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? null
                : ScalarKey(element) is { } key && key != "byte[]" ? key + "[]" : null;
        }

        return ScalarKey(type);
    }

    /// <summary>Whether a column of <paramref name="pgType"/> is read into a type of key <paramref name="key"/> by Npgsql's own converter.</summary>
    public static bool CanRead(string pgType, string key)
    {
        if (OidOf(pgType) == 0)
        {
            return false;
        }

        if (pgType.EndsWith("[]", StringComparison.Ordinal))
        {
            return key.EndsWith("[]", StringComparison.Ordinal) && key != "byte[]"
                && CanRead(pgType.Substring(0, pgType.Length - 2), key.Substring(0, key.Length - 2));
        }

        return key switch
        {
            "int" => pgType == "integer",
            "long" => pgType == "bigint",
            "short" => pgType == "smallint",
            "bool" => pgType == "boolean",
            "float" => pgType == "real",
            "double" => pgType == "double precision",
            "decimal" => pgType == "numeric",
            "string" => pgType is "text" or "character varying" or "character" or "name" or "json" or "jsonb",
            "Guid" => pgType == "uuid",
            "DateTime" => pgType is "timestamp with time zone" or "timestamp without time zone" or "date",
            "DateTimeOffset" => pgType == "timestamp with time zone",
            "DateOnly" => pgType == "date",
            "TimeOnly" => pgType == "time without time zone",
            "TimeSpan" => pgType is "interval" or "time without time zone",
            "byte[]" => pgType == "bytea",
            _ => false,
        };
    }

    /// <summary>The getter call for a type of <paramref name="key"/>, for example <c>GetInt32</c>; <paramref name="typeName"/> is the fully qualified non-nullable type for <c>GetFieldValue&lt;T&gt;</c>.</summary>
    public static string GetterOf(string key, string typeName) => key switch
    {
        "int" => "GetInt32",
        "long" => "GetInt64",
        "short" => "GetInt16",
        "bool" => "GetBoolean",
        "float" => "GetFloat",
        "double" => "GetDouble",
        "decimal" => "GetDecimal",
        "string" => "GetString",
        "Guid" => "GetGuid",
        "DateTime" => "GetDateTime",
        _ => "GetFieldValue<" + typeName + ">",
    };

    private static string? ScalarKey(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Int32: return "int";
            case SpecialType.System_Int64: return "long";
            case SpecialType.System_Int16: return "short";
            case SpecialType.System_Boolean: return "bool";
            case SpecialType.System_Single: return "float";
            case SpecialType.System_Double: return "double";
            case SpecialType.System_Decimal: return "decimal";
            case SpecialType.System_String: return "string";
            case SpecialType.System_DateTime: return "DateTime";
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return "byte[]";
        }

        return type.ContainingNamespace?.ToDisplayString() == "System" && type.Name is "Guid" or "DateTimeOffset" or "DateOnly" or "TimeOnly" or "TimeSpan"
            ? type.Name
            : null;
    }
}
