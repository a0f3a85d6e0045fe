using PgKit.LoadBenchmarks.Harness;

namespace PgKit.LoadBenchmarks.Report;

/// <summary>The figures of one variant on one work item, over the rounds.</summary>
internal sealed record VariantSummary(
    string Variant,
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    double Ratio,
    double RatioMin,
    double RatioMax,
    double AppCpuSeconds,
    double PostgresCpuSeconds,
    double ClientCpuSeconds,
    double OtherCpuSeconds,
    double IdleCpuSeconds,
    double AppMicrosecondsPerRequest,
    double PostgresMicrosecondsPerRequest,
    double AllocatedKilobytesPerRequest,
    long Successes,
    long Conflicts,
    long Errors);

internal static class Summaries
{
    public const string Baseline = "raw";

    public static string DisplayName(string variant) => variant switch
    {
        "pgkit" => "PgKit",
        "raw" => "raw Npgsql",
        "dapper" => "Dapper",
        "efcore" => "EF Core",
        "pgkit-lean" => "PgKit (lean host)",
        "pgkit-checked" => "PgKit, checked SQL (generated readers)",
        BenchVariants.PgKitDefaults => "PgKit, defaults",
        BenchVariants.RawDefaults => "raw Npgsql, Npgsql's defaults",
        _ when BenchVariants.PoolSizeOf(variant) is { } size => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PgKit, defaults, pool {size}"),
        _ => variant,
    };

    /// <summary>The median over rounds of <paramref name="figure"/> of <paramref name="variant"/> over that of <paramref name="other"/> in the same round.</summary>
    public static double MedianPerRoundRatio(IReadOnlyList<Cell> cells, string item, string variant, string other, Func<Cell, double> figure) =>
        Stats.Median(cells.Where(c => c.Item == item && c.Variant == variant)
            .Join(cells.Where(c => c.Item == item && c.Variant == other), c => c.Round, c => c.Round, (a, b) => figure(a) / figure(b)));

    /// <summary>The median over rounds of the per-request figure <paramref name="perRequest"/> of a variant on an item.</summary>
    public static double MedianPerRequest(IReadOnlyList<Cell> cells, string item, string variant, Func<Cell, double> perRequest) =>
        Stats.Median(cells.Where(c => c.Item == item && c.Variant == variant).Select(perRequest));

    /// <summary>Medians over the rounds; the ratio is the median of the per-round ratios to raw's slice of the same round.</summary>
    public static VariantSummary For(IReadOnlyList<Cell> cells, string item, string variant)
    {
        var mine = cells.Where(c => c.Item == item && c.Variant == variant).OrderBy(c => c.Round).ToList();
        var ratios = PerRoundRatios(cells, item, variant, Baseline);
        return new VariantSummary(
            variant,
            Stats.Median(mine.Select(c => c.RequestsPerSecond)),
            Stats.Median(mine.Select(c => c.Load.P50Ms)),
            Stats.Median(mine.Select(c => c.Load.P99Ms)),
            Stats.Median(ratios),
            ratios.Count == 0 ? double.NaN : ratios.Min(),
            ratios.Count == 0 ? double.NaN : ratios.Max(),
            Stats.Median(mine.Select(c => c.AppCpuSeconds)),
            Stats.Median(mine.Select(c => c.PostgresCpuSeconds)),
            Stats.Median(mine.Select(c => c.Load.ClientCpuSeconds)),
            Stats.Median(mine.Select(c => c.OtherCpuSeconds)),
            Stats.Median(mine.Select(c => c.IdleCpuSeconds)),
            Stats.Median(mine.Select(c => c.AppCpuSeconds * 1e6 / Math.Max(1, c.Load.Requests))),
            Stats.Median(mine.Select(c => c.PostgresCpuSeconds * 1e6 / Math.Max(1, c.Load.Requests))),
            Stats.Median(mine.Select(c => c.AllocatedBytes / 1024.0 / Math.Max(1, c.Load.Requests))),
            mine.Sum(c => c.Load.Requests - c.Load.Errors - c.Load.Conflicts),
            mine.Sum(c => c.Load.Conflicts),
            mine.Sum(c => c.Load.Errors));
    }

    /// <summary>requests/s of <paramref name="variant"/> over those of <paramref name="other"/> in the same round, one per round.</summary>
    public static List<double> PerRoundRatios(IReadOnlyList<Cell> cells, string item, string variant, string other) =>
        [.. cells.Where(c => c.Item == item && c.Variant == variant)
            .Join(cells.Where(c => c.Item == item && c.Variant == other), c => c.Round, c => c.Round, (a, b) => a.RequestsPerSecond / b.RequestsPerSecond)];
}
