using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgKit.Embedded;
using PgKit.LoadBenchmarks.Report;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>One measurement: a variant serving a work item for one slice of one round.</summary>
internal sealed record Cell(int Round, string Item, string Variant, LoadResult Load, double AppCpuSeconds, double PostgresCpuSeconds, long AllocatedBytes, double OtherCpuSeconds = 0, double IdleCpuSeconds = 0)
{
    public double RequestsPerSecond => Load.RequestsPerSecond;
}

/// <summary>One pgbench slice, and the server's CPU during it.</summary>
internal sealed record CeilingRun(PgBenchResult Result, double PostgresCpuSeconds);

/// <summary>Everything a run measured, for the report.</summary>
internal sealed record RunData(
    RunOptions Options,
    MachineInfo Machine,
    string ClientDescription,
    string PostgresVersion,
    string NpgsqlSettings,
    string PgBenchCommand,
    IReadOnlyList<Cell> Cells,
    IReadOnlyList<CeilingRun> Ceiling,
    DateTimeOffset Started,
    TimeSpan Elapsed,
    string LoadAverageAfter);

/// <summary>Starts the server and the four apps, seeds, verifies, warms up, measures interleaved rounds and writes the report.</summary>
internal static class Runner
{
    private const string Database = "pgkit_load";
    private const string PgBenchDatabase = "pgbench";

    // The hand-tuned settings of pgkit, raw, dapper and efcore (EF Core and PgKit read them from the connection string too):
    // one pool of at most as many connections as there are HTTP connections, statements prepared after two uses (as
    // pgbench -M prepared does from the first), no session reset on return to the pool, and no idle pruning during the
    // run. The *-default variants get none of them (BenchVariants).
    private static string NpgsqlSettings(int connections) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Maximum Pool Size={connections};Max Auto Prepare=32;Auto Prepare Min Usages=2;No Reset On Close=true;Connection Idle Lifetime=3600");

    public static async Task<int> RunAsync(RunOptions options)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        var outputDirectory = options.OutputDirectory ?? DefaultOutputDirectory(options.Quick);

        using var client = CreateClient(options);
        Log($"PgKit load benchmark: {string.Join(", ", options.Variants)} x {string.Join(", ", options.Items.Select(i => i.Key))}; " +
            $"{options.Connections} connections, {options.Rounds} rounds x {options.Seconds} s after {options.WarmUpSeconds} s warm-up; load client: {client.Description}");
        Log($"machine: {machine.Summary}");

        var serverOptions = new PostgresServerOptions();
        serverOptions.Settings["max_connections"] = ((options.Connections * options.Variants.Count) + options.Connections + 40).ToString(CultureInfo.InvariantCulture);
        await using var server = await PostgresServer.StartAsync(serverOptions);
        var postmaster = ReadPostmasterPid(server.DataDirectory);
        Log($"embedded PostgreSQL {server.Version} on port {server.Port} (postmaster pid {postmaster}), {clock.Elapsed.TotalSeconds:0.0} s");

        var settings = NpgsqlSettings(options.Connections);
        var plainConnectionString = await server.CreateDatabaseAsync(Database);
        await using (var seed = NpgsqlDataSource.Create(server.GetConnectionString(Database)))
        {
            var migrations = await BenchData.MigrateAsync(seed);
            await BenchData.SeedAsync(seed);
            Log($"applied the reference app's {migrations} migrations");
        }

        Log($"seeded {BenchData.Authors:N0} authors, {BenchData.Articles:N0} articles, {BenchData.Coupons:N0} coupons, 12 fortunes, {clock.Elapsed.TotalSeconds:0.0} s");

        await server.CreateDatabaseAsync(PgBenchDatabase);
        var pgbenchPath = PgBench.Find(server.Binaries.Directory) ?? throw new InvalidOperationException("pgbench was not found (it comes with PostgreSQL's server binaries).");
        var pgbench = new PgBench(pgbenchPath, "127.0.0.1", server.Port, "postgres", new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString).Password!, PgBenchDatabase, threads: Math.Max(1, Environment.ProcessorCount));
        await pgbench.InitializeAsync();
        Log($"pgbench database initialized (scale 1), {clock.Elapsed.TotalSeconds:0.0} s");

        var apps = new List<VariantProcess>();
        try
        {
            foreach (var variant in options.Variants)
            {
                apps.Add(await VariantProcess.StartAsync(variant, BenchVariants.ConnectionString(variant, plainConnectionString, settings), Log));
            }

            Log($"apps listening: {string.Join(", ", apps.Select(a => $"{a.Variant} {a.BaseAddress} (pid {a.ProcessId})"))}, {clock.Elapsed.TotalSeconds:0.0} s");

            if (options.Verify)
            {
                await using var admin = NpgsqlDataSource.Create(server.GetConnectionString(Database));
                await Verifier.VerifyAsync(apps, admin, options.Items);
                Log("verified: every variant answers every work item with the same status codes and JSON");
            }

            // Warm-up: JIT tiers, pools, prepared statements and caches, once per variant and work item.
            foreach (var item in options.Items)
            {
                foreach (var app in apps)
                {
                    var warm = await client.RunAsync(item, app.BaseAddress, options.Connections, options.WarmUpSeconds);
                    Log($"warm-up  {item.Key,-15} {app.Variant,-7} {warm.RequestsPerSecond,9:N0} req/s{(warm.Errors > 0 ? $"  ({warm.Errors} errors)" : "")}");
                }
            }

            var cells = new List<Cell>();
            var ceiling = new List<CeilingRun>();
            for (var round = 0; round < options.Rounds; round++)
            {
                foreach (var item in options.Items)
                {
                    // A B C D, then B C D A in the next round...: machine drift hits every variant alike.
                    for (var k = 0; k < apps.Count; k++)
                    {
                        var app = apps[(k + round) % apps.Count];
                        var cell = await MeasureAsync(round, item, app, client, options, postmaster);
                        cells.Add(cell);
                        Log(string.Create(CultureInfo.InvariantCulture,
                            $"round {round + 1}/{options.Rounds}  {item.Key,-15} {app.Variant,-7} {cell.RequestsPerSecond,9:N0} req/s  p50 {cell.Load.P50Ms,6:0.00} ms  p99 {cell.Load.P99Ms,7:0.00} ms  " +
                            $"cpu app {cell.AppCpuSeconds:0.00} s, postgres {cell.PostgresCpuSeconds:0.00} s, client {cell.Load.ClientCpuSeconds:0.00} s, other {cell.OtherCpuSeconds:0.00} s, idle {cell.IdleCpuSeconds:0.00} s{(cell.Load.Errors > 0 ? $"  errors {cell.Load.Errors}" : "")}"));
                    }
                }

                var pgBefore = CpuTime.ProcessTree(postmaster);
                var run = await pgbench.RunAsync(options.Connections, options.Seconds);
                var ceilingRun = new CeilingRun(run, CpuTime.ProcessTree(postmaster) - pgBefore);
                ceiling.Add(ceilingRun);
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}/{options.Rounds}  pgbench -S -M prepared {run.Tps,9:N0} tps    avg {run.LatencyAverageMs:0.00} ms  cpu postgres {ceilingRun.PostgresCpuSeconds:0.00} s, pgbench {run.ClientCpuSeconds:0.00} s"));
            }

            var data = new RunData(options, machine, client.Description, server.Version, settings, pgbench.CommandLine(options.Connections, options.Seconds),
                cells, ceiling, started, clock.Elapsed, MachineInfo.LoadAverage());
            var (markdown, svg) = await BenchReport.WriteAsync(data, outputDirectory);
            Console.WriteLine();
            Console.WriteLine(await File.ReadAllTextAsync(markdown));
            Log($"wrote {markdown} and {svg} in {clock.Elapsed.TotalSeconds:0} s");
            return 0;
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    private static async Task<Cell> MeasureAsync(int round, WorkItem item, VariantProcess app, ILoadClient client, RunOptions options, int postmaster)
    {
        var allocatedBefore = await app.AllocatedBytesAsync();
        var appBefore = app.CpuSeconds;
        var pgBefore = CpuTime.ProcessTree(postmaster);
        var machineBefore = CpuTime.MachineBusy();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var load = await client.RunAsync(item, app.BaseAddress, options.Connections, options.Seconds);
        var machine = CpuTime.MachineBusy() - machineBefore;
        stopwatch.Stop();
        var appCpu = app.CpuSeconds - appBefore;
        var pgCpu = CpuTime.ProcessTree(postmaster) - pgBefore;
        var allocated = await app.AllocatedBytesAsync() - allocatedBefore;
        var other = Math.Max(0, machine - appCpu - pgCpu - load.ClientCpuSeconds);
        var idle = Math.Max(0, (stopwatch.Elapsed.TotalSeconds * Environment.ProcessorCount) - machine);
        return new Cell(round, item.Key, app.Variant, load, appCpu, pgCpu, allocated, other, idle);
    }

    private static ILoadClient CreateClient(RunOptions options)
    {
        if (options.Client != "http" && WrkClient.TryCreate(threads: Math.Max(1, Environment.ProcessorCount)) is { } wrk)
        {
            return wrk;
        }

        if (options.Client == "wrk")
        {
            throw new InvalidOperationException("wrk is not installed (apt-get install wrk); scripts/bench-load.sh installs it, or use --client http.");
        }

        return new HttpLoadClient();
    }

    private static int ReadPostmasterPid(string dataDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);

    private static string DefaultOutputDirectory(bool quick)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "PgKit.slnx")))
                {
                    var results = Path.Combine(directory.FullName, "bench", "results");
                    return quick ? Path.Combine(results, "quick") : results;
                }
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), quick ? "load-results-quick" : "load-results");
    }

    internal static void Log(string message)
    {
        lock (Console.Out)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] {message}"));
        }
    }
}
