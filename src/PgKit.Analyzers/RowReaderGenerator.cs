using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgKit.Analyzers.Generation;

namespace PgKit.Analyzers;

/// <summary>
/// Generates row readers for checked statements: for each constant statement passed to a <c>[PgSql]</c> parameter
/// whose columns <c>pgkit-sql.json</c> records and whose row type they fill exactly, a <c>RowReader&lt;T&gt;</c> that reads
/// each column by ordinal with Npgsql's typed getter (no reflection, safe for trimming and native AOT), registered
/// from a module initializer so that <c>FetchAsync&lt;T&gt;(sql, args)</c> and its siblings use it. Off with
/// <c>&lt;PgKitSqlCheck&gt;false&lt;/PgKitSqlCheck&gt;</c> or without the file.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RowReaderGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var enabled = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
            !(options.GlobalOptions.TryGetValue("build_property.PgKitSqlCheck", out var value) && string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)));

        var file = context.AdditionalTextsProvider
            .Where(static text => string.Equals(Path.GetFileName(text.Path), SqlFile.FileName, StringComparison.OrdinalIgnoreCase))
            .Select(static (text, cancellationToken) => text.GetText(cancellationToken)?.ToString())
            .Collect()
            .Select(static (texts, _) => texts.FirstOrDefault(t => t is not null));

        // The generated code needs PgKit's registry and module initializers (C# 9, .NET 5+).
        var supported = context.CompilationProvider.Select(static (compilation, _) =>
            compilation is CSharpCompilation { LanguageVersion: >= LanguageVersion.CSharp9 }
            && compilation.GetTypeByMetadataName("PgKit.RowReaders") is not null
            && compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.ModuleInitializerAttribute") is not null);

        var candidates = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => node is InvocationExpressionSyntax { ArgumentList.Arguments.Count: > 0 } invocation
                    && invocation.Expression is GenericNameSyntax or MemberAccessExpressionSyntax { Name: GenericNameSyntax },
                static (syntax, cancellationToken) =>
                    SqlStatementFinder.TryFind((InvocationExpressionSyntax)syntax.Node, syntax.SemanticModel, cancellationToken) is { } found
                        ? ReaderCandidates.From(found, syntax.SemanticModel.Compilation)
                        : null)
            .Where(static candidate => candidate is not null)
            .Collect();

        var input = candidates.Combine(file).Combine(enabled.Combine(supported));
        context.RegisterSourceOutput(input, static (output, input) =>
        {
            var ((found, text), (isEnabled, isSupported)) = input;
            if (!isEnabled || !isSupported || text is null || found.IsEmpty)
            {
                return;
            }

            SqlFile file;
            try
            {
                file = SqlFile.Parse(text);
            }
            catch (FormatException)
            {
                // The analyzer reports the unreadable file (PGK1000); rows keep the reflection mapper.
                return;
            }

            if (RowReaderEmitter.Emit(found!, file) is { } source)
            {
                output.AddSource(RowReaderEmitter.HintName, source);
            }
        });
    }
}
