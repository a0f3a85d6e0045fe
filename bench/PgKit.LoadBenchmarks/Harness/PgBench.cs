using System.Globalization;
using System.Text.RegularExpressions;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>What one pgbench run measured.</summary>
internal sealed record PgBenchResult(double Tps, double LatencyAverageMs, double ClientCpuSeconds);

/// <summary>
/// The database ceiling: <c>pgbench -S -M prepared</c> (a primary-key read of <c>pgbench_accounts</c>, prepared) against
/// the same server with the same client count as the HTTP load, in its own database.
/// </summary>
internal sealed partial class PgBench(string path, string host, int port, string user, string password, string database, int threads)
{
    public string Path { get; } = path;

    public static string? Find(string? postgresBinDirectory)
    {
        var beside = postgresBinDirectory is null ? null : System.IO.Path.Combine(postgresBinDirectory, "pgbench");
        return beside is not null && File.Exists(beside) ? beside : WrkClient.FindOnPath("pgbench");
    }

    public string CommandLine(int clients, int seconds) =>
        $"pgbench -S -M prepared -n -c {clients} -j {threads} -T {seconds}";

    public async Task InitializeAsync()
    {
        var (exitCode, output) = await ProcessRunner.RunAsync(Path, [.. Connection, "-i", "-s", "1", "-q", database], TimeSpan.FromMinutes(3), PasswordEnvironment);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"pgbench -i failed (exit code {exitCode}):\n{output}");
        }
    }

    public async Task<PgBenchResult> RunAsync(int clients, int seconds)
    {
        var self = Environment.ProcessId;
        var cpuBefore = CpuTime.ReapedChildren(self);
        var (exitCode, output) = await ProcessRunner.RunAsync(Path,
            [.. Connection, "-S", "-M", "prepared", "-n", "-c", Invariant(clients), "-j", Invariant(threads), "-T", Invariant(seconds), database],
            TimeSpan.FromSeconds(seconds + 60),
            PasswordEnvironment);
        var cpu = CpuTime.ReapedChildren(self) - cpuBefore;
        var tps = TpsLine().Match(output);
        var latency = LatencyLine().Match(output);
        if (exitCode == 0 && !tps.Success && output.Contains("number of transactions actually processed: 0", StringComparison.Ordinal))
        {
            // A slice shorter than the time 64 clients take to connect on a loaded machine (a --quick run) ends before
            // any transaction: report zero rather than lose the run.
            return new PgBenchResult(0, 0, cpu); // no NaN: latest.json cannot hold one
        }

        if (exitCode != 0 || !tps.Success)
        {
            throw new InvalidOperationException($"pgbench failed (exit code {exitCode}):\n{output}");
        }

        return new PgBenchResult(
            double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture),
            latency.Success ? double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN,
            cpu);
    }

    private string[] Connection => ["-h", host, "-p", Invariant(port), "-U", user];

    // The embedded server asks for a password on TCP; libpq reads it from the environment, never the command line.
    private Dictionary<string, string> PasswordEnvironment => new() { ["PGPASSWORD"] = password };

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyLine();
}
