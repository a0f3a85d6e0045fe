using System.Globalization;
using PgKit.LoadBenchmarks.Apps;
using PgKit.LoadBenchmarks.Harness;

namespace PgKit.LoadBenchmarks;

/// <summary>
/// <c>[options]</c> runs the benchmark (see <see cref="RunOptions.Usage"/>); <c>serve --variant X [--port N]</c> is one
/// variant's app, started by the benchmark in a process of its own; <c>reset-cost [--checkouts N] [--rounds R]</c>
/// measures the server's CPU per pool checkout with and without auto-prepare and Npgsql's session reset.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            if (args is ["serve", ..])
            {
                var variant = ValueOf(args, "--variant") ?? throw new ArgumentException("serve needs --variant.");
                var port = int.Parse(ValueOf(args, "--port") ?? "0", CultureInfo.InvariantCulture);
                return await VariantHost.ServeAsync(variant, port);
            }

            if (args is ["reset-cost", ..])
            {
                var checkouts = int.Parse(ValueOf(args, "--checkouts") ?? "20000", CultureInfo.InvariantCulture);
                var rounds = int.Parse(ValueOf(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
                return await ResetCost.RunAsync(checkouts, rounds);
            }

            if (args is ["--help" or "-h" or "help", ..])
            {
                Console.WriteLine(RunOptions.Usage);
                return 0;
            }

            if (args is ["--render", var json, ..])
            {
                var (markdown, svg) = await Report.BenchReport.RenderAsync(json, ValueOf(args, "--out"));
                Console.WriteLine($"wrote {markdown} and {svg}");
                return 0;
            }

            return await Runner.RunAsync(RunOptions.Parse(args is ["run", ..] ? args[1..] : args));
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(RunOptions.Usage);
            return 2;
        }
    }

    private static string? ValueOf(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
