using System.Globalization;
using System.Text;
using System.Text.Json;
using PgKit.LoadBenchmarks.Harness;

namespace PgKit.LoadBenchmarks.Report;

/// <summary>Writes <c>latest.md</c> (the tables) and <c>ratios.svg</c> (the chart) of a run.</summary>
internal static class BenchReport
{
    public const string Command = "scripts/bench-load.sh";
    public const string DotnetCommand = "dotnet run -c Release --project bench/PgKit.LoadBenchmarks";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Writes latest.md, ratios.svg and, unless re-rendering, latest.json (every measurement, for <c>--render</c>).</summary>
    public static async Task<(string Markdown, string Svg)> WriteAsync(RunData data, string directory, bool saveMeasurements = true)
    {
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, "latest.md");
        var svg = Path.Combine(directory, "ratios.svg");
        await File.WriteAllTextAsync(markdown, Markdown(data), new UTF8Encoding(false));
        await File.WriteAllTextAsync(svg, SvgChart.Render(data), new UTF8Encoding(false));
        if (saveMeasurements)
        {
            var saved = new SavedRun(data.Options.Arguments, data.Machine, data.ClientDescription, data.PostgresVersion, data.NpgsqlSettings,
                data.PgBenchCommand, [.. data.Cells], [.. data.Ceiling], data.Started, data.Elapsed.TotalSeconds, data.LoadAverageAfter);
            await File.WriteAllTextAsync(Path.Combine(directory, "latest.json"), JsonSerializer.Serialize(saved, JsonOptions), new UTF8Encoding(false));
        }

        return (markdown, svg);
    }

    /// <summary>Re-renders latest.md and ratios.svg from a latest.json, without measuring anything.</summary>
    public static async Task<(string Markdown, string Svg)> RenderAsync(string json, string? directory)
    {
        var saved = JsonSerializer.Deserialize<SavedRun>(await File.ReadAllTextAsync(json), JsonOptions)
            ?? throw new InvalidOperationException($"{json} holds no run.");
        var options = RunOptions.Parse(saved.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var data = new RunData(options, saved.Machine, saved.ClientDescription, saved.PostgresVersion, saved.NpgsqlSettings, saved.PgBenchCommand,
            saved.Cells, saved.Ceiling, saved.Started, TimeSpan.FromSeconds(saved.ElapsedSeconds), saved.LoadAverageAfter);
        return await WriteAsync(data, directory ?? Path.GetDirectoryName(Path.GetFullPath(json))!, saveMeasurements: false);
    }

    public static string Markdown(RunData data)
    {
        var o = data.Options;
        var variants = o.Variants;
        var text = new StringBuilder();
        void Append(FormattableString part) => text.Append(part.ToString(Invariant));
        void Line(FormattableString? line = null) => text.Append(line is null ? "" : line.ToString(Invariant)).Append('\n');

        var arguments = o.Arguments.Length == 0 ? "" : " " + o.Arguments;
        Line($"# Load benchmark: PgKit vs raw Npgsql, Dapper and EF Core");
        Line();
        Line($"Written by the benchmark itself. Regenerate with `{Command}{arguments}` (which runs `{DotnetCommand} --{arguments}`, installing wrk first when it can); the default run takes about 13 minutes on 2 cores.");
        Line();
        Line($"- **Run**: {data.Started:yyyy-MM-dd HH:mm} UTC, {data.Elapsed.TotalMinutes:0.0} min from start to report (after the build).");
        Line($"- **Machine**: {data.Machine.Summary}, after the run {data.LoadAverageAfter}. The load client, the four apps and PostgreSQL share these cores.");
        Line($"- **Database**: PostgreSQL {data.PostgresVersion}, PgKit.Embedded ephemeral server (fsync, synchronous_commit and full_page_writes off), one database for the four apps.");
        Line($"- **Data**: {BenchData.Authors:N0} authors, {BenchData.Articles:N0} articles ({BenchData.ArticlesPerListedAuthor} for each of authors 1-{BenchData.ListedAuthors:N0}), {BenchData.Coupons:N0} coupons of {BenchData.CouponInitCount:N0} uses ({BenchData.HotCoupons} of them hot), 12 fortunes.");
        Line($"- **Load**: {data.ClientDescription}, {o.Connections} keep-alive connections, {o.Rounds} round(s) of {o.Seconds} s per variant and work item after one {o.WarmUpSeconds} s warm-up of each; the variants interleaved (A B C D, then B C D A, ...). Figures are medians over the rounds; *ratio* is the median of the per-round ratios to raw Npgsql's slice of the same round.");
        Line($"- **Apps**: one process per variant (this executable in `serve` mode: ASP.NET Core minimal APIs, Kestrel on 127.0.0.1, Production, logging at Warning, server GC), the hand-tuned Npgsql settings for PgKit, raw Npgsql, Dapper and EF Core: `{data.NpgsqlSettings}`; *defaults* variants get a plain connection string (host, port, database, user, password), so PgKit's defaults or Npgsql's own apply, and the sweep's a plain one plus `Maximum Pool Size`.");
        if (double.TryParse(data.Machine.LoadAverageBefore.Split(' ')[0], NumberStyles.Float, Invariant, out var busy) && busy > data.Machine.Cores)
        {
            Line($"- **Note**: other work was running on the machine (load average {busy:0.0} on {data.Machine.Cores} cores when the run began): requests/s and latencies are noisier than on an idle machine; CPU time per request much less so.");
        }

        Line($"- **CPU**: seconds used during one {o.Seconds} s slice ({o.Seconds * data.Machine.Cores} s of CPU exist), read from /proc: the app's process, all PostgreSQL processes, the load client, and *other*: what the rest of the machine used meanwhile (the busy time of /proc/stat minus those three: other processes, kernel threads, the hypervisor's steal), which marks a disturbed slice, and *idle*: the cores' time nobody used (a slice that leaves much of it idle was waiting, not computing). *app µs/req* and *app KB/req* are the app's CPU time and allocations per request.");
        Line();
        Line($"![Requests/s relative to raw Npgsql](ratios.svg)");
        Line();

        // Goals.
        var pgbenchTps = Stats.Median(data.Ceiling.Select(c => c.Result.Tps));
        if (variants.Contains("pgkit"))
        {
            Line($"## Goals");
            Line();
            Line($"Each figure is the median over the rounds of the per-round ratio (the two slices of the same round), per work item.");
            Line();
            Line($"| goal | figure | met |");
            Line($"|---|---|---|");
            void Goal(string goal, IReadOnlyList<WorkItem> items, Func<WorkItem, double> figure, Func<double, bool> met, bool lowestIsWorst = true, string format = "0.000")
            {
                if (items.Count == 0)
                {
                    return;
                }

                var figures = items.Select(i => (i, f: figure(i))).ToList();
                var worst = lowestIsWorst ? figures.MinBy(x => x.f) : figures.MaxBy(x => x.f);
                var all = string.Join(", ", figures.Select(x => x.i.Key + " " + x.f.ToString(format, Invariant)));
                Line($"| {goal} | {(lowestIsWorst ? "lowest" : "highest")}: {worst.f.ToString(format, Invariant)} ({worst.i.Key}); {all} | {Met(figures.All(x => met(x.f)))} |");
            }

            double Ratio(WorkItem item, string a, string b, Func<Cell, double> figure) => Summaries.MedianPerRoundRatio(data.Cells, item.Key, a, b, figure);
            static double Rps(Cell c) => c.RequestsPerSecond;
            static double AppCpu(Cell c) => c.AppCpuSeconds / Math.Max(1, c.Load.Requests);
            static double PostgresCpu(Cell c) => c.PostgresCpuSeconds / Math.Max(1, c.Load.Requests);
            static double Allocated(Cell c) => (double)c.AllocatedBytes / Math.Max(1, c.Load.Requests);
            static double P99(Cell c) => c.Load.P99Ms;

            var items = o.Items;
            if (variants.Contains(BenchVariants.PgKitDefaults))
            {
                Goal("PgKit with a plain connection string ≥ 0.97 × the hand-tuned settings in requests/s, on every work item", items,
                    i => Ratio(i, BenchVariants.PgKitDefaults, "pgkit", Rps), r => r >= 0.97);
                Goal("PgKit with a plain connection string: PostgreSQL CPU per request ≤ 1.05 × the hand-tuned settings', on every work item", items,
                    i => Ratio(i, BenchVariants.PgKitDefaults, "pgkit", PostgresCpu), r => r <= 1.05, lowestIsWorst: false);
            }

            Goal("PgKit app CPU per request ≤ 1.05 × raw, on every work item", items, i => Ratio(i, "pgkit", "raw", AppCpu), r => r <= 1.05, lowestIsWorst: false);
            Goal("PgKit ≥ 0.97 × raw in requests/s, on every work item", items, i => Ratio(i, "pgkit", "raw", Rps), r => r >= 0.97);
            if (variants.Contains("dapper"))
            {
                Goal("PgKit allocations per request ≤ Dapper's (PgKit / Dapper ≤ 1.00), on every work item", items,
                    i => Ratio(i, "pgkit", "dapper", Allocated), r => r <= 1.0, lowestIsWorst: false);
                Goal("PgKit ≥ Dapper in requests/s (PgKit / Dapper ≥ 1.00), on every work item", items, i => Ratio(i, "pgkit", "dapper", Rps), r => r >= 1.0);
            }

            if (variants.Contains(BenchVariants.PgKitDefaults) && variants.Contains(BenchVariants.RawDefaults))
            {
                var writes = items.Where(i => i.Write).ToList();
                Goal("Write items: p99 of PgKit at its defaults ≤ 0.5 × raw Npgsql's at Npgsql's defaults", writes,
                    i => Ratio(i, BenchVariants.PgKitDefaults, BenchVariants.RawDefaults, P99), r => r <= 0.5, lowestIsWorst: false);
                Goal("Write items: ... at no less throughput (requests/s, PgKit at its defaults / raw at Npgsql's ≥ 1.00)", writes,
                    i => Ratio(i, BenchVariants.PgKitDefaults, BenchVariants.RawDefaults, Rps), r => r >= 1.0);
            }

            if (variants.Contains("efcore"))
            {
                Goal("PgKit ≥ 1.5 × EF Core in requests/s on single-row reads", [.. items.Where(i => i.SingleRowRead)],
                    i => Ratio(i, "pgkit", "efcore", Rps), r => r >= 1.5, format: "0.00");
            }

            Line();
        }

        // Ceiling.
        Line($"## The database ceiling: pgbench");
        Line();
        Line($"`{data.PgBenchCommand}` against the same server in the same run (a prepared primary-key read of `pgbench_accounts`, no HTTP, no app), once per round:");
        Append($"**{pgbenchTps:N0} transactions/s** (median; range {data.Ceiling.Min(c => c.Result.Tps):N0}-{data.Ceiling.Max(c => c.Result.Tps):N0}), latency average {Stats.Median(data.Ceiling.Select(c => c.Result.LatencyAverageMs)):0.00} ms, ");
        Append($"CPU per {o.Seconds} s run: PostgreSQL {Stats.Median(data.Ceiling.Select(c => c.PostgresCpuSeconds)):0.00} s, pgbench {Stats.Median(data.Ceiling.Select(c => c.Result.ClientCpuSeconds)):0.00} s. ");
        Line($"*of pgbench* below is a work item's requests/s as a fraction of this.");
        Line();

        // Summary of ratios.
        Line($"## Requests/s relative to raw Npgsql");
        Line();
        Line($"| work item | {string.Join(" | ", variants.Select(Summaries.DisplayName))} |");
        Line($"|---|{string.Concat(variants.Select(_ => "---:|"))}");
        foreach (var item in o.Items)
        {
            Line($"| {item.Title} | {string.Join(" | ", variants.Select(v => Summaries.For(data.Cells, item.Key, v).Ratio.ToString("0.000", Invariant)))} |");
        }

        Line();

        // App CPU per request: less sensitive than requests/s to what else the shared cores are doing.
        Line($"## App CPU time per request (µs; in brackets, relative to raw Npgsql; lower is better)");
        Line();
        Line($"| work item | {string.Join(" | ", variants.Select(Summaries.DisplayName))} |");
        Line($"|---|{string.Concat(variants.Select(_ => "---:|"))}");
        foreach (var item in o.Items)
        {
            var raw = Summaries.For(data.Cells, item.Key, Summaries.Baseline).AppMicrosecondsPerRequest;
            Line($"| {item.Title} | {string.Join(" | ", variants.Select(v => Summaries.For(data.Cells, item.Key, v).AppMicrosecondsPerRequest).Select(us => string.Create(Invariant, $"{us:0} ({us / raw:0.00})")))} |");
        }

        Line();

        // The pool-size sweep.
        var sweep = variants.Where(BenchVariants.IsSweep).ToList();
        if (sweep.Count > 0)
        {
            Line($"## Pool-size sweep: PgKit on a plain connection string with each Maximum Pool Size");
            Line();
            Line($"requests/s, and p99 in ms, per work item (medians over the rounds); the default pool here is {(variants.Contains(BenchVariants.PgKitDefaults) ? "the *PgKit, defaults* column" : "not measured (add --variants pgkit-default)")}; raw Npgsql at Npgsql's defaults (100 connections at most) for comparison.");
            Line();
            var columns = sweep.Concat(new[] { BenchVariants.PgKitDefaults, BenchVariants.RawDefaults }.Where(variants.Contains)).ToList();
            Line($"| work item | {string.Join(" | ", columns.Select(Summaries.DisplayName))} |");
            Line($"|---|{string.Concat(columns.Select(_ => "---:|"))}");
            foreach (var item in o.Items)
            {
                Line($"| {item.Title} | {string.Join(" | ", columns.Select(v => Summaries.For(data.Cells, item.Key, v)).Select(x => string.Create(Invariant, $"{x.RequestsPerSecond:N0} / {x.P99Ms:0.0}")))} |");
            }

            Line();
        }

        // Per work item.
        Line($"## Per work item");
        foreach (var item in o.Items)
        {
            Line();
            Line($"### {item.Title}: `{item.Route}`");
            Line();
            var completed = item.ConflictCompletes ? "2xx / 409 / errors" : "2xx / errors";
            Line($"| variant | req/s | p50 ms | p99 ms | ratio to raw (range) | of pgbench | CPU s app / postgres / client / other / idle | app µs/req | postgres µs/req | app KB/req | {completed} |");
            Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var variant in variants)
            {
                var s = Summaries.For(data.Cells, item.Key, variant);
                var counts = item.ConflictCompletes ? string.Create(Invariant, $"{s.Successes:N0} / {s.Conflicts:N0} / {s.Errors:N0}") : string.Create(Invariant, $"{s.Successes:N0} / {s.Errors:N0}");
                Line($"| {Summaries.DisplayName(variant)} | {s.RequestsPerSecond:N0} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.Ratio:0.000} ({s.RatioMin:0.00}-{s.RatioMax:0.00}) | {s.RequestsPerSecond / pgbenchTps:0.00} | {s.AppCpuSeconds:0.00} / {s.PostgresCpuSeconds:0.00} / {s.ClientCpuSeconds:0.00} / {s.OtherCpuSeconds:0.00} / {s.IdleCpuSeconds:0.00} | {s.AppMicrosecondsPerRequest:0} | {s.PostgresMicrosecondsPerRequest:0} | {s.AllocatedKilobytesPerRequest:0.0} | {counts} |");
            }
        }

        Line();
        Line($"## What each variant is");
        Line();
        Line($"- **PgKit**: samples/ReferenceApp itself, composed as its Program.cs composes it (`AddReferenceApp` + `MapReferenceApp`, so with its Swagger UI, status-code pages and health endpoints): `Table<TRow, TKey>.GetOrThrowAsync` and a keyset page over `SelectAsync` on the request's `Db`, `Table.InsertAsync` and `FetchRowAsync(UPDATE ... RETURNING *)` on `Atomic` (committed before the response). `/fortunes` is bench-only: `Db` + `SelectAsync`.");
        Line($"- **raw Npgsql** (the baseline): `NpgsqlDataSource` commands, positional parameters (`NpgsqlParameter<T>`), `CommandBehavior.SingleRow` for one-row reads, readers by ordinal, `BeginTransactionAsync` / `CommitAsync` for writes.");
        Line($"- **Dapper**: hand-written SQL with named parameters on a connection opened per request, `MatchNamesWithUnderscores`, a manual transaction for writes.");
        Line($"- **EF Core**: Npgsql provider, `AddDbContextPool`, LINQ with `AsNoTracking()` for reads, `Add` + `SaveChangesAsync` in an explicit transaction to create, and `FromSql(UPDATE ... RETURNING)` in an explicit transaction to redeem (the same statement as the others).");
        Line($"- **PgKit, defaults** and **raw Npgsql, Npgsql's defaults**: the same apps on a plain connection string (host, port, database, user, password), so PgKit's connection defaults (`PostgresPoolDefaults`) or Npgsql's own apply; **PgKit, defaults, pool N** (`--pool-sizes`): the same plus `Maximum Pool Size=N`.");
        Line($"- The raw, Dapper and EF Core apps serve the same routes with the reference app's records, JSON options, checks and answers (404 / 409 / 422 ProblemDetails, the paging `Link` header); the benchmark checks before any load that all four answer alike.");
        Line($"- Work items: a random author of {BenchData.Authors:N0}; the first page (20 rows, by id, reading 21 to know whether a next page exists) of the articles of a random author of the first {BenchData.ListedAuthors:N0}; an article inserted `RETURNING` the row in a transaction, for an author of {BenchData.ListedAuthors + 1:N0}-{BenchData.Authors:N0} (201); a conditional decrement `RETURNING` the coupon on one of {BenchData.HotCoupons} hot coupons in a transaction ({o.Connections} clients on {BenchData.HotCoupons} rows; a 409, for an exhausted coupon, counts as completed and is reported apart; none runs out during a run); all 12 fortunes plus one added at request time, sorted by message; 10 articles of a random author of the first {BenchData.ListedAuthors:N0} read as one record type in two shapes (with or without their content, two endpoints alternating at random).");
        return text.ToString();
    }

    private static string Met(bool met) => met ? "yes" : "**no**";
}

/// <summary>What latest.json holds: every measurement of a run and what the report says about it.</summary>
internal sealed record SavedRun(
    string Arguments,
    MachineInfo Machine,
    string ClientDescription,
    string PostgresVersion,
    string NpgsqlSettings,
    string PgBenchCommand,
    List<Cell> Cells,
    List<CeilingRun> Ceiling,
    DateTimeOffset Started,
    double ElapsedSeconds,
    string LoadAverageAfter);
