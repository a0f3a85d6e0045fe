using System.Globalization;
using System.Security;
using System.Text;
using PgKit.LoadBenchmarks.Harness;

namespace PgKit.LoadBenchmarks.Report;

/// <summary>A grouped bar chart of each variant's requests/s relative to raw Npgsql, per work item, in plain SVG.</summary>
internal static class SvgChart
{
    private const int Width = 880;
    private const int Height = 440;
    private const int Left = 64;
    private const int Right = 78;
    private const int Top = 96;
    private const int Bottom = 70;
    private const string Font = "font-family=\"-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\"";

    private static readonly Dictionary<string, string> Colors = new(StringComparer.Ordinal)
    {
        ["pgkit"] = "#2b6cb0",
        ["raw"] = "#a0aec0",
        ["dapper"] = "#dd6b20",
        ["efcore"] = "#38a169",
        ["pgkit-lean"] = "#63b3ed",
        ["pgkit-default"] = "#90cdf4",
        ["raw-default"] = "#e2e8f0",
    };

    private static readonly Dictionary<string, string> ShortTitles = new(StringComparer.Ordinal)
    {
        ["get-author"] = "get author",
        ["list-articles"] = "list 20 articles",
        ["create-article"] = "create article",
        ["redeem-coupon"] = "redeem coupon",
        ["fortunes"] = "fortunes",
        ["mixed-shape"] = "two shapes",
    };

    public static string Render(RunData data)
    {
        var variants = data.Options.Variants.Where(v => !BenchVariants.IsSweep(v)).ToList(); // the sweep has tables of its own
        var items = data.Options.Items;
        var ratios = items.Select(i => variants.Select(v => Summaries.For(data.Cells, i.Key, v).Ratio).ToArray()).ToArray();
        var highest = ratios.SelectMany(r => r).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var yMax = Math.Max(1.2, Math.Ceiling((highest + 0.1) * 5) / 5); // a multiple of 0.2 above the tallest bar
        const double plotWidth = Width - Left - Right;
        const double plotHeight = Height - Top - Bottom;
        double Y(double ratio) => Top + plotHeight - (Math.Min(ratio, yMax) / yMax * plotHeight);

        var svg = new StringBuilder();
        void Add(FormattableString line) => svg.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');
        var labels = new StringBuilder(); // the bars' values, drawn last so that the 1.0 line never crosses them
        void Label(FormattableString line) => labels.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Add($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"title\">");
        Add($"<title id=\"title\">PgKit load benchmark: requests/s relative to raw Npgsql, per work item and variant</title>");
        Add($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>");
        Add($"<text x=\"{Left}\" y=\"26\" {Font} font-size=\"17\" font-weight=\"600\" fill=\"#1a202c\">Requests/s relative to raw Npgsql (higher is better)</text>");
        var (subtitle1, subtitle2) = Subtitle(data);
        Add($"<text x=\"{Left}\" y=\"46\" {Font} font-size=\"12\" fill=\"#4a5568\">{Escape(subtitle1)}</text>");
        Add($"<text x=\"{Left}\" y=\"62\" {Font} font-size=\"12\" fill=\"#4a5568\">{Escape(subtitle2)}</text>");

        // Legend.
        var legendX = (double)Left;
        foreach (var variant in variants)
        {
            Add($"<rect x=\"{legendX:0.#}\" y=\"72\" width=\"12\" height=\"12\" fill=\"{Colors.GetValueOrDefault(variant, "#718096")}\"/>");
            Add($"<text x=\"{legendX + 17:0.#}\" y=\"82.5\" {Font} font-size=\"12\" fill=\"#1a202c\">{Escape(Summaries.DisplayName(variant))}</text>");
            legendX += 34 + (Summaries.DisplayName(variant).Length * 7);
        }

        // Grid and axis.
        for (var tick = 0.0; tick <= yMax + 1e-9; tick += 0.2)
        {
            var y = Y(tick);
            Add($"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#edf2f7\" stroke-width=\"1\"/>");
            Add($"<text x=\"{Left - 8}\" y=\"{y + 4:0.#}\" {Font} font-size=\"11\" fill=\"#4a5568\" text-anchor=\"end\">{tick:0.0}</text>");
        }

        Add($"<text transform=\"translate(16 {Top + (plotHeight / 2):0.#}) rotate(-90)\" {Font} font-size=\"12\" fill=\"#4a5568\" text-anchor=\"middle\">ratio to raw Npgsql</text>");
        Add($"<line x1=\"{Left}\" y1=\"{Top + plotHeight:0.#}\" x2=\"{Width - Right}\" y2=\"{Top + plotHeight:0.#}\" stroke=\"#4a5568\" stroke-width=\"1\"/>");

        // Bars.
        var groupWidth = plotWidth / items.Count;
        var barWidth = groupWidth * 0.8 / variants.Count;
        for (var i = 0; i < items.Count; i++)
        {
            var groupLeft = Left + (i * groupWidth) + (groupWidth * 0.1);
            for (var v = 0; v < variants.Count; v++)
            {
                var ratio = ratios[i][v];
                if (!double.IsFinite(ratio))
                {
                    continue;
                }

                var x = groupLeft + (v * barWidth);
                var y = Y(ratio);
                Add($"<rect x=\"{x + 1:0.#}\" y=\"{y:0.#}\" width=\"{barWidth - 2:0.#}\" height=\"{Top + plotHeight - y:0.#}\" fill=\"{Colors.GetValueOrDefault(variants[v], "#718096")}\"><title>{Escape($"{Summaries.DisplayName(variants[v])}, {items[i].Title}: {ratio.ToString("0.000", CultureInfo.InvariantCulture)} x raw")}</title></rect>");
                Label($"<text x=\"{x + (barWidth / 2):0.#}\" y=\"{y - 4:0.#}\" {Font} font-size=\"10.5\" fill=\"#1a202c\" text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{ratio:0.00}</text>");
            }

            var label = ShortTitles.GetValueOrDefault(items[i].Key, items[i].Key);
            Add($"<text x=\"{Left + (i * groupWidth) + (groupWidth / 2):0.#}\" y=\"{Top + plotHeight + 20:0.#}\" {Font} font-size=\"12\" fill=\"#1a202c\" text-anchor=\"middle\">{Escape(label)}</text>");
            var raw = Summaries.For(data.Cells, items[i].Key, Summaries.Baseline).RequestsPerSecond;
            Add($"<text x=\"{Left + (i * groupWidth) + (groupWidth / 2):0.#}\" y=\"{Top + plotHeight + 36:0.#}\" {Font} font-size=\"10.5\" fill=\"#718096\" text-anchor=\"middle\">raw: {raw:N0} req/s</text>");
        }

        // The 1.0 reference line, over the bars and under their values.
        var one = Y(1.0);
        Add($"<line x1=\"{Left}\" y1=\"{one:0.#}\" x2=\"{Width - Right}\" y2=\"{one:0.#}\" stroke=\"#c53030\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>");
        Add($"<text x=\"{Width - Right + 6}\" y=\"{one + 4:0.#}\" {Font} font-size=\"11\" fill=\"#c53030\">raw = 1.0</text>");
        svg.Append(labels);
        Add($"<text x=\"{Left}\" y=\"{Height - 10}\" {Font} font-size=\"10.5\" fill=\"#718096\">{Escape($"Medians of per-round ratios. Regenerate: {BenchReport.Command}. Details: latest.md")}</text>");
        Add($"</svg>");
        return svg.ToString();
    }

    private static (string, string) Subtitle(RunData data)
    {
        var o = data.Options;
        return (
            string.Create(CultureInfo.InvariantCulture,
                $"ASP.NET Core minimal APIs, {o.Connections} connections, median of {o.Rounds} interleaved round{(o.Rounds == 1 ? "" : "s")} of {o.Seconds} s, load from {data.ClientDescription}"),
            string.Create(CultureInfo.InvariantCulture,
                $"PostgreSQL {data.PostgresVersion}; client, app and database share {data.Machine.Cores} cores ({data.Machine.CpuModel}); {data.Started:yyyy-MM-dd}"));
    }

    private static string Escape(string text) => SecurityElement.Escape(text);
}
