using Microsoft.CodeAnalysis;

namespace PgKit.Analyzers;

/// <summary>
/// The PostgreSQL types of C# values as PgKit and Npgsql send them, and which C# types can hold a column's type when
/// read. Only clear cases are decided: anything this does not know (domains, enums, ranges, a Dapper type handler on
/// an app's own type) is left alone rather than reported.
/// </summary>
internal static class PgTypes
{
    /// <summary>The name of a type left to PostgreSQL to infer.</summary>
    public const string Unknown = "unknown";

    private enum Category
    {
        Other,
        Number,
        Text,
        Boolean,
        Uuid,
        Timestamp,
        Date,
        Time,
        Interval,
        Bytes,
        Json,
    }

    /// <summary>
    /// The type Npgsql sends a raw-SQL argument of <paramref name="type"/> as (see PgKit's ParameterFactory), or
    /// <see langword="null"/> when it is sent untyped (null, enums, an app's objects as JSON) or depends on the value
    /// (a <c>DateTime</c> is <c>timestamp</c> or <c>timestamptz</c> by its <c>Kind</c>).
    /// </summary>
    public static string? Inferred(ITypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        type = Underlying(type);
        if (type is IArrayTypeSymbol { ElementType: var element } && element.SpecialType != SpecialType.System_Byte)
        {
            return ArrayOf(element);
        }

        if (type is INamedTypeSymbol { IsGenericType: true, Name: "List", TypeArguments.Length: 1 } list
            && list.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic")
        {
            return ArrayOf(list.TypeArguments[0]);
        }

        return Scalar(type);
    }

    /// <summary>
    /// Whether a column of PostgreSQL type <paramref name="pgType"/> (as <c>format_type</c> writes it) can be read into
    /// <paramref name="type"/>; <see langword="true"/> whenever this is not certain.
    /// </summary>
    public static bool CanRead(string pgType, ITypeSymbol type)
    {
        type = Underlying(type);
        if (type.SpecialType == SpecialType.System_Object || type.TypeKind is TypeKind.TypeParameter or TypeKind.Dynamic or TypeKind.Error)
        {
            return true;
        }

        if (pgType.EndsWith("[]", StringComparison.Ordinal))
        {
            var element = ElementOf(type);
            return element is null ? !IsKnownScalar(type) : CanRead(pgType.Substring(0, pgType.Length - 2), element);
        }

        var category = CategoryOf(pgType);
        if (category == Category.Other)
        {
            return true;
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            // Enums read integers and text labels.
            return category is Category.Number or Category.Text;
        }

        if (!IsKnownScalar(type) && ElementOf(type) is null)
        {
            // An app's own type: JSON (PgKit deserializes it), or a Dapper type handler this cannot see.
            return true;
        }

        return category switch
        {
            Category.Number => IsNumber(type),
            Category.Text => type.SpecialType is SpecialType.System_String or SpecialType.System_Char,
            Category.Boolean => type.SpecialType == SpecialType.System_Boolean,
            Category.Uuid => IsNamed(type, "System", "Guid") || type.SpecialType == SpecialType.System_String,
            Category.Timestamp => type.SpecialType == SpecialType.System_DateTime || IsNamed(type, "System", "DateTimeOffset"),
            Category.Date => IsNamed(type, "System", "DateOnly") || type.SpecialType == SpecialType.System_DateTime,
            Category.Time => IsNamed(type, "System", "TimeOnly") || IsNamed(type, "System", "TimeSpan"),
            Category.Interval => IsNamed(type, "System", "TimeSpan"),
            Category.Bytes => type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte },
            Category.Json => type.SpecialType == SpecialType.System_String || type.ContainingNamespace?.ToDisplayString().StartsWith("System.Text.Json", StringComparison.Ordinal) == true,
            _ => true,
        };
    }

    /// <summary>Whether a NULL read into <paramref name="type"/> is silently lost (a value type that is not <c>Nullable&lt;T&gt;</c>).</summary>
    public static bool LosesNull(ITypeSymbol type) =>
        type.IsValueType && type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T && type.TypeKind != TypeKind.TypeParameter;

    /// <summary>Whether PgKit reads <paramref name="type"/> from the first column, like its runtime does (scalars, arrays, lists).</summary>
    public static bool IsScalarRow(ITypeSymbol type)
    {
        type = Underlying(type);
        return IsKnownScalar(type) || type.TypeKind == TypeKind.Enum || type is IArrayTypeSymbol || ElementOf(type) is not null
            || type.ContainingNamespace?.ToDisplayString() is "System.Text.Json" or "System.Text.Json.Nodes" or "System.Numerics" or "System.Net" or "NpgsqlTypes";
    }

    public static bool IsValueTuple(ITypeSymbol type) => type is INamedTypeSymbol { IsTupleType: true };

    private static ITypeSymbol Underlying(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

    private static string? ArrayOf(ITypeSymbol element)
    {
        // Enum labels in a list go as an untyped array literal; a list of nullable values keeps its element type.
        var scalar = Scalar(Underlying(element));
        return scalar is null || scalar == "bytea" ? null : scalar + "[]";
    }

    private static string? Scalar(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Int32: return "integer";
            case SpecialType.System_Int64: return "bigint";
            case SpecialType.System_Int16: return "smallint";
            case SpecialType.System_Byte: return "smallint";
            case SpecialType.System_Boolean: return "boolean";
            case SpecialType.System_Double: return "double precision";
            case SpecialType.System_Single: return "real";
            case SpecialType.System_Decimal: return "numeric";
            case SpecialType.System_String: return "text";
        }

        if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
        {
            return "bytea";
        }

        if (type.ContainingNamespace?.ToDisplayString() != "System")
        {
            return null;
        }

        return type.Name switch
        {
            "Guid" => "uuid",
            "DateTimeOffset" => "timestamp with time zone",
            "DateOnly" => "date",
            "TimeOnly" => "time without time zone",
            "TimeSpan" => "interval",
            _ => null,
        };
    }

    private static Category CategoryOf(string pgType) => pgType switch
    {
        "smallint" or "integer" or "bigint" or "real" or "double precision" or "numeric" or "oid" => Category.Number,
        "text" or "character varying" or "character" or "name" or "citext" or "\"char\"" => Category.Text,
        "boolean" => Category.Boolean,
        "uuid" => Category.Uuid,
        "timestamp with time zone" or "timestamp without time zone" => Category.Timestamp,
        "date" => Category.Date,
        "time without time zone" => Category.Time,
        "interval" => Category.Interval,
        "bytea" => Category.Bytes,
        "json" or "jsonb" => Category.Json,
        _ when pgType.StartsWith("character varying(", StringComparison.Ordinal) || pgType.StartsWith("character(", StringComparison.Ordinal)
            || pgType.StartsWith("numeric(", StringComparison.Ordinal) => pgType[0] == 'n' ? Category.Number : Category.Text,
        _ => Category.Other,
    };

    private static bool IsNumber(ITypeSymbol type) => type.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16
        or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
        or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal;

    private static bool IsKnownScalar(ITypeSymbol type) =>
        IsNumber(type) || type.SpecialType is SpecialType.System_String or SpecialType.System_Char or SpecialType.System_Boolean or SpecialType.System_DateTime
        || type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte }
        || (type.ContainingNamespace?.ToDisplayString() == "System" && type.Name is "Guid" or "DateTimeOffset" or "DateOnly" or "TimeOnly" or "TimeSpan");

    // The element type of an array or of a list type PgKit reads arrays into; null for anything else.
    private static ITypeSymbol? ElementOf(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType.SpecialType == SpecialType.System_Byte ? null : array.ElementType;
        }

        return type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && named.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic"
            && named.Name is "List" or "IList" or "IReadOnlyList" or "IEnumerable" or "ICollection" or "IReadOnlyCollection"
            ? named.TypeArguments[0]
            : null;
    }

    private static bool IsNamed(ITypeSymbol type, string ns, string name) => type.Name == name && type.ContainingNamespace?.ToDisplayString() == ns;
}
