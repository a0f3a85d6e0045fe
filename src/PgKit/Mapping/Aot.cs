namespace PgKit.Mapping;

/// <summary>
/// The messages of PgKit's <c>[RequiresUnreferencedCode]</c> and <c>[RequiresDynamicCode]</c>: what breaks and what to
/// use instead, as a trimmed or native AOT app's build warning shows them.
/// </summary>
internal static class Aot
{
    /// <summary>For paths that read .NET types' members by reflection (rows, column maps).</summary>
    public const string Reflection =
        "PgKit maps rows and column maps to .NET types by reflection, which trimming can break. "
        + "Read rows with a RowReader<T> (FetchAsync(sql, reader, args)) and pass values as args.";

    /// <summary>For paths that compile code at run time (expression trees, generic methods made at run time, Dapper).</summary>
    public const string DynamicCode =
        "PgKit compiles its row readers and column maps at run time, which native AOT cannot do. "
        + "Read rows with a RowReader<T> (FetchAsync(sql, reader, args)) and pass values as args.";
}
