using System.Diagnostics;
using System.Globalization;
using PgKit.Embedded;
using PgKit.Migrations;

// Start-up cost of migrations when nothing is pending, as an app pays it at every start: one instance, and 16
// instances starting together (16 concurrent tasks, each with its own migrator and connection), against the
// baseline of applying 100 small migrations once. Each start builds a new Migrator (so it also reads and hashes the
// 100 files), as a new process would. Usage: dotnet run -c Release --project bench/PgKit.Migrations.Benchmarks [-- RUNS]
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

    // Warm up (JIT, Npgsql's type loading for this connection string), then measure.
    for (var i = 0; i < 5; i++)
    {
        await new Migrator(target, Options()).HasPendingAsync();
        await Migrator.MigrateAsync(target, Options());
    }

    var hasPending = new List<double>();
    var startup = new List<double>();
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
    }

    // The floor: what any start-up check costs, a new unpooled connection and one query.
    var unpooled = new Npgsql.NpgsqlConnectionStringBuilder(target) { Pooling = false }.ConnectionString;
    async Task ConnectAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync();
    }

    var connect = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        connect.Add(await TimeAsync(ConnectAsync));
    }

    var connectTogether = await TogetherAsync(ConnectAsync);
    var together = await TogetherAsync(async () => Check(await Migrator.MigrateAsync(target, Options())));
    var single = Median(startup);
    Console.WriteLine($"Migrations start-up cost, nothing pending ({MigrationCount} applied migrations in the folder), {runs} runs, {Environment.ProcessorCount} cores, PostgreSQL {server.Version}");
    Console.WriteLine();
    Console.WriteLine("| scenario | median ms | p90 ms | ratio to apply-100 baseline | ratio to one instance |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    Console.WriteLine(Row($"apply {MigrationCount} migrations once (baseline)", apply, Median(apply), single));
    Console.WriteLine(Row("HasPendingAsync, one instance", hasPending, Median(apply), single));
    Console.WriteLine(Row("startup no-op (MigrateAsync), one instance", startup, Median(apply), single));
    Console.WriteLine(Row($"startup no-op, {Instances} instances together (per instance)", together, Median(apply), single));
    Console.WriteLine(Row("floor: unpooled connect + SELECT 1, one", connect, Median(apply), single));
    Console.WriteLine(Row($"floor: unpooled connect + SELECT 1, {Instances} together", connectTogether, Median(apply), single));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"goals: one instance under 20 ms median: {(single < 20 ? "met" : "NOT met")} ({single:0.0} ms); {Instances} together at most 3x one instance: {(Median(together) <= 3 * single ? "met" : "NOT met")} ({Median(together) / single:0.0}x; the bare connection alone is {Median(connectTogether) / Median(connect):0.0}x)"));
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
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, Instances).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            return await TimeAsync(action);
        })).ToList();
        gate.Set();
        all.AddRange(await Task.WhenAll(tasks));
    }

    return all;
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
