using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Npgsql;

namespace PgKit.Cli.Tests.CheckedSql;

/// <summary>What the analyzer and generator tests compile against, and how they hand them pgkit-sql.json.</summary>
internal static class InMemoryCompilation
{
    /// <summary>The runtime's System assemblies, PgKit (for <c>[PgSql]</c>) and Npgsql.</summary>
    public static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(PgSqlAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(NpgsqlConnection).Assembly.Location),
    ]);
}

/// <summary>An additional file held in memory.</summary>
internal sealed class InMemoryText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}
