using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace PgKit.Analyzers;

/// <summary>A member a result column fills: a constructor parameter or a settable property.</summary>
internal readonly struct RowMember
{
    public RowMember(string name, string column, ITypeSymbol type)
    {
        Name = name;
        Column = column;
        Type = type;
    }

    public string Name { get; }

    public string Column { get; }

    public ITypeSymbol Type { get; }
}

/// <summary>
/// The members PgKit's runtime fills from columns (see PgKit.Mapping.TypeMetadata): a type without a public
/// parameterless constructor gets its longest public constructor's parameters, any other its settable properties;
/// the column is <c>[Column]</c>, else the name under <c>[PgNaming]</c> (type, then assembly), else snake_case.
/// </summary>
internal static class RowMembers
{
    public static List<RowMember> Of(INamedTypeSymbol type)
    {
        var exact = IsExact(type);
        var properties = new List<IPropertySymbol>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
        {
            foreach (var member in t.GetMembers())
            {
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod: not null } property
                    && !HasAttribute(property, "System.ComponentModel.DataAnnotations.Schema", "NotMappedAttribute") && seen.Add(property.Name))
                {
                    properties.Add(property);
                }
            }
        }

        var constructors = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        var result = new List<RowMember>();
        if (!type.IsValueType && constructors.Count > 0 && !constructors.Any(c => c.Parameters.Length == 0))
        {
            var longest = constructors.OrderByDescending(c => c.Parameters.Length).First();
            foreach (var parameter in longest.Parameters)
            {
                var property = properties.FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                var column = property is not null ? ColumnOf(property, exact) : Apply(exact, parameter.Name);
                result.Add(new RowMember(parameter.Name, column, parameter.Type));
            }

            return result;
        }

        foreach (var property in properties)
        {
            if (property.SetMethod is { DeclaredAccessibility: Accessibility.Public })
            {
                result.Add(new RowMember(property.Name, ColumnOf(property, exact), property.Type));
            }
        }

        return result;
    }

    /// <summary>Npgsql's snake_case translation (NpgsqlSnakeCaseNameTranslator.ConvertToSnakeCase), which PgKit's runtime uses.</summary>
    public static string ToSnakeCase(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return name;
        }

        var builder = new StringBuilder(name.Length + Math.Min(2, name.Length / 5));
        UnicodeCategory? previous = null;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_')
            {
                builder.Append('_');
                previous = null;
                continue;
            }

            var category = char.GetUnicodeCategory(c);
            switch (category)
            {
                case UnicodeCategory.UppercaseLetter:
                case UnicodeCategory.TitlecaseLetter:
                    if (previous == UnicodeCategory.SpaceSeparator || previous == UnicodeCategory.LowercaseLetter
                        || (previous != UnicodeCategory.DecimalDigitNumber && previous != null && i > 0 && i + 1 < name.Length && char.IsLower(name[i + 1])))
                    {
                        builder.Append('_');
                    }

                    c = char.ToLower(c, CultureInfo.InvariantCulture);
                    break;
                case UnicodeCategory.LowercaseLetter:
                case UnicodeCategory.DecimalDigitNumber:
                    if (previous == UnicodeCategory.SpaceSeparator)
                    {
                        builder.Append('_');
                    }

                    break;
                default:
                    if (previous != null)
                    {
                        previous = UnicodeCategory.SpaceSeparator;
                    }

                    continue;
            }

            builder.Append(c);
            previous = category;
        }

        return builder.ToString();
    }

    private static string ColumnOf(IPropertySymbol property, bool exact)
    {
        foreach (var attribute in property.GetAttributes())
        {
            if (IsAttribute(attribute, "System.ComponentModel.DataAnnotations.Schema", "ColumnAttribute")
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name)
            {
                return name;
            }
        }

        return Apply(exact, property.Name);
    }

    private static string Apply(bool exact, string name) => exact ? name : ToSnakeCase(name);

    // [PgNaming(PgNamingConvention.Exact)] on the type (or a base type), else on its assembly.
    private static bool IsExact(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (NamingOf(t.GetAttributes()) is { } convention)
            {
                return convention;
            }
        }

        return NamingOf(type.ContainingAssembly?.GetAttributes() ?? default) ?? false;
    }

    private static bool? NamingOf(System.Collections.Immutable.ImmutableArray<AttributeData> attributes)
    {
        if (attributes.IsDefault)
        {
            return null;
        }

        foreach (var attribute in attributes)
        {
            if (IsAttribute(attribute, "PgKit", "PgNamingAttribute") && attribute.ConstructorArguments.Length == 1)
            {
                // PgNamingConvention: SnakeCase = 0, Exact = 1.
                return attribute.ConstructorArguments[0].Value is int value && value == 1;
            }
        }

        return null;
    }

    private static bool HasAttribute(ISymbol symbol, string ns, string name) => symbol.GetAttributes().Any(a => IsAttribute(a, ns, name));

    private static bool IsAttribute(AttributeData attribute, string ns, string name) =>
        attribute.AttributeClass is { } type && type.Name == name && type.ContainingNamespace?.ToDisplayString() == ns;
}
