using System.Globalization;
using PgKit.LoadBenchmarks.Apps;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>The command line of a benchmark run.</summary>
internal sealed class RunOptions
{
    public const string Usage = """
        PgKit load benchmark: PgKit, raw Npgsql, Dapper and EF Core serving the same API under HTTP load, next to pgbench.

        Usage: dotnet run -c Release --project bench/PgKit.LoadBenchmarks -- [options]
          --quick              a ~3 minute smoke run (1 round x 1 s per cell, 1 s warm-up), written to bench/results/quick/
          --rounds N           measured rounds (default 5)
          --duration S         seconds per variant and work item in each round (default 3)
          --warmup S           seconds of warm-up per variant and work item, once before the rounds (default 3)
          --connections N      concurrent HTTP connections, and pgbench clients (default 64)
          --client wrk|http    the load client (default: wrk when installed, else the built-in HttpClient client)
          --variants a,b,...   among pgkit, pgkit-default, raw, raw-default, dapper, efcore (default: all six; raw, the
                               baseline, always runs), and the diagnostic pgkit-lean (the reference app without Swagger UI,
                               status-code pages, docs). pgkit, raw, dapper and efcore get the hand-tuned Npgsql settings;
                               pgkit-default and raw-default a plain connection string (PgKit's defaults, Npgsql's defaults)
          --pool-sizes a,b,... also runs the reference app on a plain connection string with each Maximum Pool Size
                               (variants pgkit-default@N), for the pool-size sweep; e.g. --pool-sizes 4,8,16,32,64
                               --variants pgkit-default,raw-default
          --items a,b,...      among get-author, list-articles, create-article, redeem-coupon, fortunes, mixed-shape
                               (default: all)
          --out DIR            where latest.md and ratios.svg go (default: bench/results of this repository)
          --no-verify          skip the check that every variant answers with the same status codes and JSON
          --render FILE        only re-render latest.md and ratios.svg from a latest.json (with --out DIR: elsewhere)

        Or: reset-cost [--checkouts N] [--rounds R]   the server's CPU per pool checkout, with and without auto-prepare
                                                     and Npgsql's session reset (one connection, backend CPU from /proc)
        """;

    public int Rounds { get; private set; } = 5;

    public int Seconds { get; private set; } = 3;

    public int WarmUpSeconds { get; private set; } = 3;

    public int Connections { get; private set; } = 64;

    public string Client { get; private set; } = "auto";

    public bool Quick { get; private set; }

    public bool Verify { get; private set; } = true;

    /// <summary>The variants of a default run, in their interleaving order.</summary>
    public static readonly string[] DefaultVariants = ["pgkit", BenchVariants.PgKitDefaults, "raw", BenchVariants.RawDefaults, "dapper", "efcore"];

    public IReadOnlyList<string> Variants { get; private set; } = DefaultVariants;

    /// <summary>Gets the pool sizes of the sweep (<c>--pool-sizes</c>), empty when there is none.</summary>
    public IReadOnlyList<int> PoolSizes { get; private set; } = [];

    public IReadOnlyList<WorkItem> Items { get; private set; } = WorkItem.All;

    public string? OutputDirectory { get; private set; }

    /// <summary>The command line as given, for the report.</summary>
    public string Arguments { get; private set; } = "";

    public static RunOptions Parse(string[] args)
    {
        var options = new RunOptions { Arguments = string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number.");
            switch (args[i])
            {
                case "--quick":
                    options.Quick = true;
                    options.Rounds = 1;
                    options.Seconds = 1;
                    options.WarmUpSeconds = 1;
                    break;
                case "--rounds": options.Rounds = Number(); break;
                case "--duration": options.Seconds = Number(); break;
                case "--warmup": options.WarmUpSeconds = Number(); break;
                case "--connections": options.Connections = Number(); break;
                case "--client":
                    options.Client = Value() is "wrk" or "http" or "auto" ? args[i] : throw new ArgumentException("--client is wrk, http or auto.");
                    break;
                case "--variants":
                    var variants = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (variants.Except(DefaultVariants).Except(VariantHost.DiagnosticNames).FirstOrDefault() is { } unknownVariant)
                    {
                        throw new ArgumentException($"Unknown variant '{unknownVariant}'.");
                    }

                    // The baseline always runs: every ratio is to raw.
                    options.Variants = [.. DefaultVariants.Concat(VariantHost.DiagnosticNames).Where(n => n == "raw" || variants.Contains(n))];
                    break;
                case "--pool-sizes":
                    options.PoolSizes = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0
                            ? size : throw new ArgumentException($"--pool-sizes needs positive whole numbers, not '{n}'."))
                        .Distinct().Order()];
                    break;
                case "--items":
                    var items = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (items.Except(WorkItem.All.Select(w => w.Key)).FirstOrDefault() is { } unknownItem)
                    {
                        throw new ArgumentException($"Unknown work item '{unknownItem}'.");
                    }

                    options.Items = [.. WorkItem.All.Where(w => items.Contains(w.Key))];
                    break;
                case "--out": options.OutputDirectory = Value(); break;
                case "--no-verify": options.Verify = false; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        // The sweep's variants go after the others, whatever the order of the options.
        options.Variants = [.. options.Variants.Where(v => !BenchVariants.IsSweep(v)), .. options.PoolSizes.Select(BenchVariants.Sweep)];
        return options;
    }
}
