using Microsoft.CodeAnalysis;

namespace PgKit.Analyzers;

/// <summary>The diagnostics of checked SQL (docs/checked-sql.md has an example of each).</summary>
internal static class SqlDiagnostics
{
    private const string Category = "PgKit.Sql";

    private const string Help = "https://github.com/pgkit/pgkit/blob/main/docs/checked-sql.md";

    public static readonly DiagnosticDescriptor UnreadableFile = new(
        "PGK1000", "pgkit-sql.json cannot be read", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: Help, customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor Rejected = new(
        "PGK1001", "PostgreSQL rejects the statement", "PostgreSQL rejects this statement: {0} (SQLSTATE {1})", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: Help);

    public static readonly DiagnosticDescriptor ArgumentCount = new(
        "PGK1002", "Wrong number of arguments", "The statement uses {0} parameter(s) ($1..${0}) but {1} argument(s) are given", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: Help);

    public static readonly DiagnosticDescriptor ArgumentType = new(
        "PGK1003", "An argument's type does not fit its parameter", "PostgreSQL rejects the statement with the arguments sent as ({0}): {1} (SQLSTATE {2})", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: Help);

    public static readonly DiagnosticDescriptor RowMismatch = new(
        "PGK1004", "The row type does not fit the result", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: Help);

    public static readonly DiagnosticDescriptor NullableColumn = new(
        "PGK1005", "A column that can be NULL is read into a non-nullable value type", "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: Help);

    public static readonly DiagnosticDescriptor NotPrepared = new(
        "PGK1006", "The statement is not described in pgkit-sql.json", "{0}; run 'pgkit sql prepare' to describe it", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: Help);
}
