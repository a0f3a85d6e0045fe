using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PgKit.Analyzers;

/// <summary>
/// Finds the statements to check: calls whose argument for a <c>[PgSql]</c> parameter is a compile-time constant
/// string. Shared by the analyzer and <c>pgkit sql prepare</c>, so both see the same statements.
/// </summary>
internal static class SqlStatementFinder
{
    public const string AttributeName = "PgSqlAttribute";

    public const string AttributeNamespace = "PgKit";

    /// <summary>Every checked statement of a compilation, in source order.</summary>
    public static IEnumerable<FoundStatement> FindAll(Compilation compilation, CancellationToken cancellationToken)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var invocation in tree.GetRoot(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (TryFind(invocation, model, cancellationToken) is { } found)
                {
                    yield return found;
                }
            }
        }
    }

    /// <summary>The statement of one call, or <see langword="null"/> when the call takes no checked constant SQL.</summary>
    public static FoundStatement? TryFind(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        // Cheap syntactic filter first: a call without arguments cannot pass SQL.
        if (invocation.ArgumentList.Arguments.Count == 0
            || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        var parameters = method.Parameters;
        var sqlIndex = -1;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (IsPgSql(parameters[i]))
            {
                sqlIndex = i;
                break;
            }
        }

        if (sqlIndex < 0)
        {
            return null;
        }

        var arguments = invocation.ArgumentList.Arguments;
        var sqlArgument = ArgumentFor(arguments, parameters, sqlIndex);
        if (sqlArgument is null || model.GetConstantValue(sqlArgument.Expression, cancellationToken) is not { HasValue: true, Value: string sql })
        {
            // Built at run time: not checked, silently.
            return null;
        }

        ImmutableArray<ArgumentInfo>? values = ImmutableArray<ArgumentInfo>.Empty;
        if (sqlIndex + 1 < parameters.Length && IsArgumentList(parameters[sqlIndex + 1].Type))
        {
            var valuesArgument = ArgumentFor(arguments, parameters, sqlIndex + 1);
            values = valuesArgument is null ? ImmutableArray<ArgumentInfo>.Empty : ReadArguments(valuesArgument.Expression, model, cancellationToken);
        }

        var rowType = method.TypeArguments.Length == 1 ? method.TypeArguments[0] : null;
        return new FoundStatement(sql, sqlArgument.Expression.GetLocation(), values, rowType);
    }

    private static bool IsPgSql(IParameterSymbol parameter)
    {
        foreach (var attribute in parameter.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: AttributeName } type && type.ContainingNamespace?.ToDisplayString() == AttributeNamespace)
            {
                return true;
            }
        }

        return false;
    }

    private static ArgumentSyntax? ArgumentFor(SeparatedSyntaxList<ArgumentSyntax> arguments, ImmutableArray<IParameterSymbol> parameters, int index)
    {
        var name = parameters[index].Name;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].NameColon is { } colon)
            {
                if (colon.Name.Identifier.ValueText == name)
                {
                    return arguments[i];
                }
            }
            else if (i == index)
            {
                return arguments[i];
            }
        }

        return null;
    }

    private static bool IsArgumentList(ITypeSymbol type) =>
        type is IArrayTypeSymbol
        || (type is INamedTypeSymbol { IsGenericType: true } named && named.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic"
            && named.Name is "IReadOnlyList" or "IList" or "IEnumerable" or "IReadOnlyCollection" or "ICollection" or "List");

    // The values of $1..$n when the call lists them (a collection expression, an array initializer, null or nothing);
    // null when they come from a variable or a spread, whose number is only known at run time.
    private static ImmutableArray<ArgumentInfo>? ReadArguments(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        IEnumerable<ExpressionSyntax>? elements = expression switch
        {
            CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax)
                => collection.Elements.Cast<ExpressionElementSyntax>().Select(e => e.Expression),
            ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
            ImplicitArrayCreationExpressionSyntax creation => creation.Initializer.Expressions,
            LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.NullLiteralExpression) => [],
            LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.DefaultLiteralExpression) => [],
            _ => null,
        };
        if (elements is null)
        {
            return null;
        }

        var builder = ImmutableArray.CreateBuilder<ArgumentInfo>();
        foreach (var element in elements)
        {
            var type = model.GetTypeInfo(element, cancellationToken).Type;
            builder.Add(new ArgumentInfo(type, PgTypes.Inferred(type), element.GetLocation()));
        }

        return builder.ToImmutable();
    }
}
