using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgKit.Analyzers;

/// <summary>
/// Checks every constant SQL statement passed to a <c>[PgSql]</c> parameter against <c>pgkit-sql.json</c> (an
/// additional file written by <c>pgkit sql prepare</c>): no database and no network at build time. Without the file
/// it does nothing, so checked SQL is opt-in per project.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CheckedSqlAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        SqlDiagnostics.UnreadableFile, SqlDiagnostics.Rejected, SqlDiagnostics.ArgumentCount, SqlDiagnostics.ArgumentType,
        SqlDiagnostics.RowMismatch, SqlDiagnostics.NullableColumn, SqlDiagnostics.NotPrepared);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var additional = start.Options.AdditionalFiles.FirstOrDefault(f => string.Equals(Path.GetFileName(f.Path), SqlFile.FileName, StringComparison.OrdinalIgnoreCase));
            if (additional is null
                || (start.Options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.PgKitSqlCheck", out var enabled)
                    && string.Equals(enabled, "false", StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            SqlFile file;
            try
            {
                file = SqlFile.Parse(additional.GetText(start.CancellationToken)?.ToString() ?? string.Empty);
            }
            catch (FormatException e)
            {
                start.RegisterCompilationEndAction(end => end.ReportDiagnostic(Diagnostic.Create(SqlDiagnostics.UnreadableFile, Location.None, e.Message)));
                return;
            }

            start.RegisterSyntaxNodeAction(node => Analyze(node, file), SyntaxKind.InvocationExpression);
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, SqlFile file)
    {
        if (SqlStatementFinder.TryFind((InvocationExpressionSyntax)context.Node, context.SemanticModel, context.CancellationToken) is not { } found)
        {
            return;
        }

        if (!file.Statements.TryGetValue(SqlFile.KeyOf(found.Sql), out var entry) || entry.Sql != found.Sql)
        {
            context.ReportDiagnostic(Diagnostic.Create(SqlDiagnostics.NotPrepared, found.Location, "This statement is new or changed since pgkit-sql.json was written"));
            return;
        }

        if (entry.Skipped is not null)
        {
            return;
        }

        if (entry.Error is { } error)
        {
            context.ReportDiagnostic(Diagnostic.Create(SqlDiagnostics.Rejected, found.Location, error.Message, error.SqlState));
            return;
        }

        if (found.Arguments is { } arguments)
        {
            if (arguments.Length != entry.Parameters.Count)
            {
                context.ReportDiagnostic(Diagnostic.Create(SqlDiagnostics.ArgumentCount, found.Location, entry.Parameters.Count, arguments.Length));
            }
            else if (found.ArgumentTypesKey is { } key)
            {
                if (!entry.Arguments.TryGetValue(key, out var refused))
                {
                    context.ReportDiagnostic(Diagnostic.Create(SqlDiagnostics.NotPrepared, found.Location, $"The arguments' types ({key}) are new or changed since pgkit-sql.json was written"));
                }
                else if (refused is not null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(SqlDiagnostics.ArgumentType, found.Location, key, refused.Message, refused.SqlState));
                }
            }
        }

        if (found.RowType is { } rowType)
        {
            CheckRow(context, found, entry, rowType);
        }
    }

    private static void CheckRow(SyntaxNodeAnalysisContext context, FoundStatement found, SqlEntry entry, ITypeSymbol rowType)
    {
        if (rowType.TypeKind is TypeKind.TypeParameter or TypeKind.Error || rowType.SpecialType == SpecialType.System_Object)
        {
            return;
        }

        var typeName = rowType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        if (entry.Columns.Count == 0)
        {
            Report(context, SqlDiagnostics.RowMismatch, found, $"The statement returns no columns, so nothing fills {typeName}");
            return;
        }

        if (PgTypes.IsValueTuple(rowType) && rowType is INamedTypeSymbol tuple)
        {
            var elements = tuple.TupleElements;
            if (elements.Length > entry.Columns.Count)
            {
                Report(context, SqlDiagnostics.RowMismatch, found, $"{typeName} has {elements.Length} elements but the statement returns {entry.Columns.Count} column(s)");
                return;
            }

            for (var i = 0; i < elements.Length; i++)
            {
                CheckMember(context, found, typeName + "." + elements[i].Name, elements[i].Type, entry.Columns[i]);
            }

            return;
        }

        if (PgTypes.IsScalarRow(rowType) || rowType is not INamedTypeSymbol named)
        {
            CheckMember(context, found, typeName, rowType, entry.Columns[0]);
            return;
        }

        var byName = new Dictionary<string, SqlColumn>(StringComparer.Ordinal);
        foreach (var column in entry.Columns)
        {
            // A repeated name: the first column wins, as in PgKit's reader.
            if (!byName.ContainsKey(column.Name))
            {
                byName[column.Name] = column;
            }
        }

        foreach (var member in RowMembers.Of(named))
        {
            var memberName = named.Name + "." + member.Name;
            if (!byName.TryGetValue(member.Column, out var column))
            {
                var names = string.Join(", ", entry.Columns.Select(c => c.Name));
                Report(context, SqlDiagnostics.RowMismatch, found, $"No column '{member.Column}' fills {memberName}; the statement returns: {names}");
                continue;
            }

            CheckMember(context, found, memberName, member.Type, column);
        }
    }

    private static void CheckMember(SyntaxNodeAnalysisContext context, FoundStatement found, string memberName, ITypeSymbol type, SqlColumn column)
    {
        if (!PgTypes.CanRead(column.Type, type))
        {
            Report(context, SqlDiagnostics.RowMismatch, found,
                $"Column '{column.Name}' ({column.Type}) cannot be read into {memberName} ({type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)})");
        }
        else if (column.Nullable == true && PgTypes.LosesNull(type))
        {
            var source = column.Table is null ? string.Empty : $" of {column.Table}";
            Report(context, SqlDiagnostics.NullableColumn, found,
                $"Column '{column.Name}'{source} can be NULL here but {memberName} ({type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}) cannot hold NULL; make it nullable");
        }
    }

    private static void Report(SyntaxNodeAnalysisContext context, DiagnosticDescriptor descriptor, FoundStatement found, string message) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, found.Location, message));
}
