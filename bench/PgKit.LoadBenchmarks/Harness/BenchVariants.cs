using System.Globalization;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>
/// A measured variant is an app (<c>serve --variant</c>) and the connection string it gets: the hand-tuned Npgsql settings
/// (<c>pgkit</c>, <c>raw</c>, <c>dapper</c>, <c>efcore</c>), none at all (<c>pgkit-default</c>: PgKit's defaults;
/// <c>raw-default</c>: Npgsql's), or none but a pool size (<c>pgkit-default@16</c>, the pool-size sweep).
/// </summary>
internal static class BenchVariants
{
    public const string PgKitDefaults = "pgkit-default";
    public const string RawDefaults = "raw-default";

    /// <summary>The app a variant runs.</summary>
    public static string AppOf(string variant) => Name(variant) switch
    {
        PgKitDefaults => "pgkit",
        RawDefaults => "raw",
        var name => name,
    };

    /// <summary>The pool size of a sweep variant (<c>pgkit-default@16</c>), or null.</summary>
    public static int? PoolSizeOf(string variant) =>
        variant.IndexOf('@', StringComparison.Ordinal) is var at and >= 0
            ? int.Parse(variant[(at + 1)..], CultureInfo.InvariantCulture)
            : null;

    /// <summary>The variant of the pool-size sweep at <paramref name="poolSize"/>.</summary>
    public static string Sweep(int poolSize) => string.Create(CultureInfo.InvariantCulture, $"{PgKitDefaults}@{poolSize}");

    public static bool IsSweep(string variant) => PoolSizeOf(variant) is not null;

    /// <summary>Whether the variant runs on a plain connection string (its library's defaults) rather than the tuned settings.</summary>
    public static bool UsesDefaults(string variant) => Name(variant) is PgKitDefaults or RawDefaults;

    /// <summary>The connection string of <paramref name="variant"/>: the plain one, plus the tuned settings or a pool size.</summary>
    public static string ConnectionString(string variant, string plain, string tunedSettings) =>
        PoolSizeOf(variant) is { } size
            ? string.Create(CultureInfo.InvariantCulture, $"{plain};Maximum Pool Size={size}")
            : UsesDefaults(variant) ? plain : plain + ";" + tunedSettings;

    private static string Name(string variant) =>
        variant.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? variant[..at] : variant;
}
