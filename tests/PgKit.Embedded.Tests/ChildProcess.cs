using System.Diagnostics;
using System.Text.Json;
using PgKit.Embedded;

namespace PgKit.Embedded.Tests;

/// <summary>
/// Entry point used when a test runs this assembly as a separate process (`dotnet PgKit.Embedded.Tests.dll MODE`),
/// to act as an app that owns a server: one that is killed with SIGKILL, or one that runs as another OS user.
/// </summary>
public static class ChildProcess
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "hold-ephemeral":
                {
                    // Start a server, report where it lives, then wait to be killed.
                    var server = await PostgresServer.StartAsync();
                    var info = new ChildServerInfo(server.DataDirectory, ReadPostmasterPid(server.DataDirectory), server.Port);
                    await WriteReportAsync(args[1], info);
                    await Task.Delay(Timeout.Infinite);
                    return 0;
                }

            case "hold-persistent":
                {
                    var server = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = args[2] });
                    var info = new ChildServerInfo(server.DataDirectory, ReadPostmasterPid(server.DataDirectory), server.Port);
                    await WriteReportAsync(args[1], info);
                    await Task.Delay(Timeout.Infinite);
                    return 0;
                }

            case "hold-cluster":
                {
                    // A primary, a standby and (when installed) a PgBouncer in front of the primary; then wait to be killed.
                    var cluster = await PostgresCluster.StartAsync();
                    var bouncerPid = 0;
                    if (PgBouncer.IsInstalled)
                    {
                        var bouncer = await PgBouncer.StartAsync(cluster.Primary.Server);
                        bouncerPid = int.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(bouncer.LogFilePath)!, "pgbouncer.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }

                    var pids = cluster.Members.Select(m => ReadPostmasterPid(m.Server.DataDirectory)).Append(bouncerPid).ToArray();
                    var folders = cluster.Members.Select(m => m.Server.Folder).ToArray();
                    await File.WriteAllTextAsync(args[1] + ".tmp", JsonSerializer.Serialize(new ChildClusterInfo(pids, folders)));
                    File.Move(args[1] + ".tmp", args[1]);
                    await Task.Delay(Timeout.Infinite);
                    return 0;
                }

            case "query-ephemeral":
                {
                    await using var server = await PostgresServer.StartAsync();
                    await using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString);
                    await connection.OpenAsync();
                    await using var command = new Npgsql.NpgsqlCommand("SELECT 41 + 1", connection);
                    var answer = await command.ExecuteScalarAsync();
                    Console.WriteLine($"answer={answer} osuser={server.OsUser}");
                    return 0;
                }

            default:
                // Anything else is xunit's: a v3 test assembly is its own runner, which the test adapter starts.
                return await Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args);
        }
    }

    // Written under another name and renamed, so the test never reads a half-written report.
    private static async Task WriteReportAsync(string path, ChildServerInfo info)
    {
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(info));
        File.Move(path + ".tmp", path);
    }

    public static int ReadPostmasterPid(string dataDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts this assembly as a child process in the given mode.</summary>
    public static Process Start(string mode, params string[] args) =>
        StartAs(runAs: null, typeof(ChildProcess).Assembly.Location, mode, args);

    // The dotnet host, by full path (another user's PATH may lack it): the runtime's folder is <root>/shared/<framework>/<version>/.
    // Not this process's own path: under xunit v3 this process is the test assembly's executable, not dotnet.
    private static string DotnetHost() =>
        Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));

    /// <summary>Starts a copy of this assembly as a child process, optionally as another OS user (needs root).</summary>
    public static Process StartAs(string? runAs, string assembly, string mode, params string[] args)
    {
        var startInfo = new ProcessStartInfo(runAs is null ? "dotnet" : "/usr/sbin/runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAs is not null)
        {
            foreach (var a in new[] { "-u", runAs, "--", DotnetHost() })
            {
                startInfo.ArgumentList.Add(a);
            }
        }

        startInfo.ArgumentList.Add(assembly);
        startInfo.ArgumentList.Add(mode);
        foreach (var a in args)
        {
            startInfo.ArgumentList.Add(a);
        }

        return Process.Start(startInfo)!;
    }
}

public sealed record ChildClusterInfo(int[] ProcessIds, string[] Folders);

public sealed record ChildServerInfo(string DataDirectory, int PostmasterPid, int Port);
