using System.Diagnostics;
using Npgsql;

namespace PgKit.Testing.Tests;

/// <summary>
/// Entry point used when a test runs this assembly as a separate process (<c>dotnet PgKit.Testing.Tests.dll MODE</c>):
/// a tiny test run that uses the kit the way a test assembly does, then exits without cleaning up by hand. Any other
/// arguments are xunit's: a v3 test assembly is its own runner, which the test adapter starts as a process.
/// </summary>
public static class ChildProcess
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "run":
                {
                    // What a test run does: the shared server, a template, a clone, a query; then the process ends.
                    var server = await TestPostgres.SharedAsync();
                    var template = await TestDatabaseTemplate.GetAsync(server, new PostgresTestOptions { Migrations = NotesMigrations.Source });
                    var database = await template.CloneAsync();
                    await using var connection = await database.OpenConnectionAsync();
                    var dataDirectory = await connection.FetchValueAsync<string>("SELECT current_setting('data_directory')");
                    var port = await connection.FetchValueAsync<string>("SELECT current_setting('port')");
                    var postmaster = File.ReadLines(Path.Combine(dataDirectory!, "postmaster.pid")).First();
                    Console.WriteLine($"embedded={server.IsEmbedded}");
                    Console.WriteLine($"port={port}");
                    Console.WriteLine($"data={dataDirectory}");
                    Console.WriteLine($"postmaster={postmaster}");
                    return 0;
                }

            default:
                return await Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args);
        }
    }

    /// <summary>Runs this assembly as a child process and returns its output lines as key=value pairs.</summary>
    public static async Task<Dictionary<string, string>> RunAsync(string mode, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        startInfo.ArgumentList.Add(mode);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"child exited {process.ExitCode}: {await stderr}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim());
    }
}
