using Microsoft.CodeAnalysis;

namespace PgKit.Analyzers.Generation;

/// <summary>
/// Turns a found statement's row type into a <see cref="ReaderCandidate"/>: the members PgKit's runtime fills (the same
/// <see cref="RowMembers"/> the analyzer checks), each with a type a generated reader reads exactly. Returns
/// <see langword="null"/> for a row type generated code cannot build or read exactly; its rows keep the reflection mapper.
/// </summary>
internal static class ReaderCandidates
{
    private static readonly SymbolDisplayFormat Annotated = SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(
        SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat Plain = SymbolDisplayFormat.FullyQualifiedFormat;

    public static ReaderCandidate? From(FoundStatement found, Compilation compilation)
    {
        if (found.RowType is not { } rowType || !IsUsable(rowType, compilation))
        {
            return null;
        }

        var display = rowType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var members = new List<ReaderMember>();
        RowShape shape;
        if (ColumnReads.KeyOf(rowType) is not null)
        {
            shape = RowShape.Scalar;
            members.Add(Member(display, null, rowType, compilation)!);
        }
        else if (rowType is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            // Longer tuples nest a TRest the runtime leaves to Dapper; one-element tuples have no literal syntax.
            if (tuple.TupleElements.Length is < 2 or > 7)
            {
                return null;
            }

            shape = RowShape.Tuple;
            foreach (var element in tuple.TupleElements)
            {
                if (Member(element.Name, null, element.Type, compilation) is not { } member)
                {
                    return null;
                }

                members.Add(member);
            }
        }
        else if (rowType is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, IsAbstract: false } named && !PgTypes.IsScalarRow(named))
        {
            var constructor = ConstructorOf(named);
            if (constructor is null && !named.IsValueType && !named.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public))
            {
                return null;
            }

            shape = constructor is null ? RowShape.Properties : RowShape.Constructor;
            if (!RequiredMembersAreSet(named, constructor, out var required))
            {
                return null;
            }

            var rowMembers = RowMembers.Of(named);
            if (rowMembers.Count == 0 || (shape == RowShape.Properties && required.Any(r => !rowMembers.Any(m => m.Name == r))))
            {
                return null;
            }

            foreach (var rowMember in rowMembers)
            {
                if (Member(rowMember.Name, rowMember.Column, rowMember.Type, compilation) is not { } member)
                {
                    return null;
                }

                members.Add(member);
            }
        }
        else
        {
            return null;
        }

        return new ReaderCandidate(found.Sql, rowType.ToDisplayString(Annotated), rowType.ToDisplayString(Plain), display, shape, members);
    }

    private static ReaderMember? Member(string name, string? column, ITypeSymbol type, Compilation compilation)
    {
        if (ColumnReads.KeyOf(type) is not { } key)
        {
            return null;
        }

        var isValueNullable = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
        var underlying = isValueNullable ? ((INamedTypeSymbol)type).TypeArguments[0] : type;
        var isNullable = isValueNullable || (!type.IsValueType && type.NullableAnnotation == NullableAnnotation.Annotated);
        return compilation.IsSymbolAccessibleWithin(underlying, compilation.Assembly)
            ? new ReaderMember(name, column, key, underlying.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(Plain), isNullable, !type.IsValueType)
            : null;
    }

    // The constructor the runtime calls (RowMembers' rule), or null when it sets properties.
    private static IMethodSymbol? ConstructorOf(INamedTypeSymbol type)
    {
        var constructors = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        return !type.IsValueType && constructors.Count > 0 && !constructors.Any(c => c.Parameters.Length == 0)
            ? constructors.OrderByDescending(c => c.Parameters.Length).First()
            : null;
    }

    // A required member the generated code does not set would not compile: a constructor must set them all
    // ([SetsRequiredMembers]), an object initializer must list them (checked by the caller against the filled members).
    private static bool RequiredMembersAreSet(INamedTypeSymbol type, IMethodSymbol? constructor, out List<string> required)
    {
        required = [];
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
        {
            foreach (var member in t.GetMembers())
            {
                if (member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true })
                {
                    if (member is IFieldSymbol)
                    {
                        return false;
                    }

                    required.Add(member.Name);
                }
            }
        }

        return required.Count == 0 || constructor is null
            || constructor.GetAttributes().Any(a => a.AttributeClass?.Name == "SetsRequiredMembersAttribute");
    }

    private static bool IsUsable(ITypeSymbol type, Compilation compilation) =>
        type.TypeKind is not (TypeKind.Error or TypeKind.TypeParameter or TypeKind.Dynamic or TypeKind.Interface or TypeKind.Pointer)
        && type.SpecialType != SpecialType.System_Object
        && compilation.IsSymbolAccessibleWithin(type, compilation.Assembly)
        && !ContainsTypeParameter(type);

    private static bool ContainsTypeParameter(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => true,
        IArrayTypeSymbol array => ContainsTypeParameter(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsTypeParameter) || (named.ContainingType is { } outer && ContainsTypeParameter(outer)),
        _ => false,
    };
}
