using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgKit.Embedded;
using PgKit.Migrations;

// Start-up cost of migrations when nothing is pending, as an app pays it at every start: one instance, and 16
// instances starting together (16 concurrent tasks), against the baseline of applying 100 small migrations once.
// Each start builds a new Migrator (so it also reads and hashes the 100 files), as a new process would.
//
// Two ways to start: from a connection string (the pgkit tool, Migrator.MigrateAsync(string)), and in the app
// (MigrateOnStartup, Migrator.MigrateAsync(dataSource)). An app instance is modelled as a process starting: a new
// NpgsqlDataSource (an empty pool), the migration run, then the app's first query on that data source, which it
// makes whether or not it migrates; the instance is ready when that query returns. Each simulated instance uses its
// own Application Name, so that, as in a new process, none of its connections finds Npgsql's pools or loaded types
// from another instance. "Added by migrations" is the app start minus the same start without migrations.
// Usage: dotnet run -c Release --project bench/PgKit.Migrations.Benchmarks [-- RUNS]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
const int Instances = 16;
const int MigrationCount = 100;

var folder = Directory.CreateTempSubdirectory("pgkit-mig-bench-").FullName;
for (var i = 1; i <= MigrationCount; i++)
{
    File.WriteAllText(
        Path.Combine(folder, Migration.FormatFileName(i, $"create_t{i}")),
        $"CREATE TABLE t{i} (id int PRIMARY KEY, v text);\n-- migrate:down\nDROP TABLE t{i};\n");
}

MigrationOptions Options() => new() { Source = MigrationSource.FromDirectory(folder) };

await using var server = await PostgresServer.StartAsync();
try
{
    // Baseline: apply all 100 migrations to a fresh database (3 databases, median).
    var apply = new List<double>();
    for (var i = 0; i < 3; i++)
    {
        var cs = await server.CreateDatabaseAsync($"apply_{i}");
        var watch = Stopwatch.StartNew();
        var result = await Migrator.MigrateAsync(cs, Options());
        apply.Add(watch.Elapsed.TotalMilliseconds);
        if (result.Steps.Count != MigrationCount)
        {
            throw new InvalidOperationException("the baseline did not apply every migration");
        }
    }

    var target = server.GetConnectionString("apply_0");
    var instance = 0;

    // One app instance starting: its own data source, MigrateOnStartup's call, its first query.
    async Task AppStartAsync(bool migrate)
    {
        var name = "pgkit-bench-" + Interlocked.Increment(ref instance).ToString(CultureInfo.InvariantCulture);
        var pooled = new NpgsqlConnectionStringBuilder(target) { Pooling = true, ApplicationName = name }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(pooled);
        if (migrate)
        {
            Check(await Migrator.MigrateAsync(dataSource, Options()));
        }

        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync();
    }

    // Warm up (JIT, Npgsql's type loading for this connection string), then measure.
    for (var i = 0; i < 5; i++)
    {
        await new Migrator(target, Options()).HasPendingAsync();
        await Migrator.MigrateAsync(target, Options());
        await AppStartAsync(migrate: true);
    }

    var hasPending = new List<double>();
    var startup = new List<double>();
    var appStartup = new List<double>();
    var appFloor = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        hasPending.Add(await TimeAsync(async () =>
        {
            if (await new Migrator(target, Options()).HasPendingAsync())
            {
                throw new InvalidOperationException("nothing should be pending");
            }
        }));
        startup.Add(await TimeAsync(async () => Check(await Migrator.MigrateAsync(target, Options()))));
        appStartup.Add(await TimeAsync(() => AppStartAsync(migrate: true)));
        appFloor.Add(await TimeAsync(() => AppStartAsync(migrate: false)));
    }

    // The floor: what any start-up check costs, a new unpooled connection and one query.
    var unpooled = new NpgsqlConnectionStringBuilder(target) { Pooling = false }.ConnectionString;
    async Task ConnectAsync()
    {
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync();
    }

    var connect = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        connect.Add(await TimeAsync(ConnectAsync));
    }

    var connectTogether = await TogetherAsync(ConnectAsync);
    var together = await TogetherAsync(async () => Check(await Migrator.MigrateAsync(target, Options())));

    // The app starts with and without migrations, 16 together, in alternating rounds (with, without; then without,
    // with; ...) so that drift in the machine's load hits both alike; each round's median is paired with its partner's.
    var appTogether = new List<double>();
    var appFloorTogether = new List<double>();
    var addedPerRound = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var withFirst = i % 2 == 0;
        var first = await TogetherRoundAsync(() => AppStartAsync(migrate: withFirst));
        var second = await TogetherRoundAsync(() => AppStartAsync(migrate: !withFirst));
        var (with, without) = withFirst ? (first, second) : (second, first);
        appTogether.AddRange(with);
        appFloorTogether.AddRange(without);
        addedPerRound.Add(Median(with) - Median(without));
    }
    var single = Median(startup);
    var appSingle = Median(appStartup);
    Console.WriteLine($"Migrations start-up cost, nothing pending ({MigrationCount} applied migrations in the folder), {runs} runs, {Environment.ProcessorCount} cores, PostgreSQL {server.Version}");
    Console.WriteLine();
    Console.WriteLine("| scenario | median ms | p90 ms | ratio to apply-100 baseline | ratio to one instance |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    Console.WriteLine(Row($"apply {MigrationCount} migrations once (baseline)", apply, Median(apply), single));
    Console.WriteLine(Row("HasPendingAsync, one instance", hasPending, Median(apply), single));
    Console.WriteLine(Row("tool: startup no-op (MigrateAsync(string)), one instance", startup, Median(apply), single));
    Console.WriteLine(Row($"tool: startup no-op, {Instances} instances together (per instance)", together, Median(apply), single));
    Console.WriteLine(Row("app: new data source + MigrateAsync(dataSource) + first query, one instance", appStartup, Median(apply), appSingle));
    Console.WriteLine(Row($"app: the same, {Instances} instances together (per instance)", appTogether, Median(apply), appSingle));
    Console.WriteLine(Row("app floor: new data source + first query, no migrations, one", appFloor, Median(apply), appSingle));
    Console.WriteLine(Row($"app floor: the same, {Instances} together", appFloorTogether, Median(apply), appSingle));
    // What migrations add: the median of the paired differences (each run's start with migrations minus the start
    // without that ran next to it), which the machine's drift between two separate blocks of runs cannot skew.
    var added = Median(appStartup.Zip(appFloor, static (with, without) => with - without).ToList());
    var addedTogether = Median(addedPerRound);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| app: added by migrations (median of paired differences), one | {added:0.0} | | | |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| app: added by migrations, {Instances} together (per instance, median of paired round medians) | {addedTogether:0.0} | {Percentile(addedPerRound, 0.9):0.0} | | {addedTogether / added:0.00}x the one-instance addition |"));
    Console.WriteLine(Row("floor: unpooled connect + SELECT 1, one", connect, Median(apply), single));
    Console.WriteLine(Row($"floor: unpooled connect + SELECT 1, {Instances} together", connectTogether, Median(apply), single));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"goals: one instance under 20 ms median: {(single < 20 ? "met" : "NOT met")} (tool {single:0.0} ms; app, added by migrations, {added:0.0} ms)."));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Instances} app instances together, what migrations add at most 3x one instance: {(addedTogether <= 3 * added ? "met" : "NOT met")} ({addedTogether / added:0.0}x: {added:0.0} ms alone, {addedTogether:0.0} ms together)."));
    // 16 instances on 2 cores slow every start down, migrations or not; what the lock could add is queueing on top of that.
    var machineSlowdown = Median(appFloorTogether) / Median(appFloor);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the same, relative to the machine's own slowdown of a start without migrations ({machineSlowdown:0.0}x): {addedTogether / added / machineSlowdown:0.00} (1 = migrations slow down like any other start-up work; 16 = the instances queued one after the other)."));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"for reference: whole app start {Median(appTogether) / appSingle:0.0}x (without migrations {Median(appFloorTogether) / Median(appFloor):0.0}x); tool runs {Median(together) / single:0.0}x; the bare unpooled connection alone {Median(connectTogether) / Median(connect):0.0}x."));
}
finally
{
    Directory.Delete(folder, recursive: true);
}

// Runs the action as 16 concurrent tasks released together, `runs` times; returns every per-task latency.
async Task<List<double>> TogetherAsync(Func<Task> action)
{
    var all = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        all.AddRange(await TogetherRoundAsync(action));
    }

    return all;
}

// One round: the action as 16 concurrent tasks released together; returns their latencies.
async Task<List<double>> TogetherRoundAsync(Func<Task> action)
{
    using var gate = new ManualResetEventSlim();
    var tasks = Enumerable.Range(0, Instances).Select(_ => Task.Run(async () =>
    {
        gate.Wait();
        return await TimeAsync(action);
    })).ToList();
    gate.Set();
    return [.. await Task.WhenAll(tasks)];
}

static void Check(MigrationRunResult result)
{
    if (result.Changed)
    {
        throw new InvalidOperationException("nothing should have been applied");
    }
}

static async Task<double> TimeAsync(Func<Task> action)
{
    var watch = Stopwatch.StartNew();
    await action();
    return watch.Elapsed.TotalMilliseconds;
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    var index = (int)Math.Ceiling(p * sorted.Count) - 1;
    return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
}

static string Row(string name, List<double> values, double baseline, double single) =>
    string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(values):0.0} | {Percentile(values, 0.9):0.0} | {Median(values) / baseline:0.000} | {Median(values) / single:0.00} |");
