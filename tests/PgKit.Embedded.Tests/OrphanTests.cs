using System.Text.Json;
using PgKit.Embedded.Tests.Support;

namespace PgKit.Embedded.Tests;

public sealed class OrphanTests
{
    [Fact]
    public async Task StartAsync_AfterAnOwnerWasKilled_StopsItsServerAndDeletesItsFolder()
    {
        var info = await StartChildAndKillItAsync(persistentFolder: null);
        Assert.True(TestFolders.ProcessAlive(info.PostmasterPid), "SIGKILL of the owner leaves its server running");

        // Any ephemeral start cleans up servers whose owner is gone.
        await using var next = await PostgresServer.StartAsync();

        Assert.True(TestFolders.ProcessGone(info.PostmasterPid));
        Assert.False(Directory.Exists(Path.GetDirectoryName(info.DataDirectory)));
    }

    [Fact]
    public async Task StartAsync_AsAnUnprivilegedUser_RunsTheServerAsThatUser()
    {
        if (!TestFolders.IsRoot)
        {
            // Not root: every other test here already runs the non-root path.
            await using var server = await PostgresServer.StartAsync();
            Assert.Equal(Environment.UserName, server.OsUser);
            return;
        }

        // Root: run a copy of this assembly as 'postgres', where the account needs no switching.
        var copy = CopyTestAssemblyForOtherUsers();
        try
        {
            using var child = ChildProcess.StartAs("postgres", Path.Combine(copy, Path.GetFileName(typeof(ChildProcess).Assembly.Location)), "query-ephemeral");
            var output = await child.StandardOutput.ReadToEndAsync();
            var errors = await child.StandardError.ReadToEndAsync();
            await child.WaitForExitAsync();

            Assert.True(child.ExitCode == 0, $"child failed: {output}{errors}");
            Assert.Contains("answer=42 osuser=postgres", output, StringComparison.Ordinal);
        }
        finally
        {
            TestFolders.DeleteQuietly(copy);
        }
    }

    [Fact]
    public async Task StartAsync_AsRoot_RunsTheServerAsTheConfiguredAccount()
    {
        await using var server = await PostgresServer.StartAsync();
        var owner = File.ReadAllLines($"/proc/{ChildProcess.ReadPostmasterPid(server.DataDirectory)}/status")
            .Single(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

        if (TestFolders.IsRoot)
        {
            Assert.Equal("postgres", server.OsUser);
            Assert.NotEqual("0", owner);
        }
        else
        {
            Assert.Equal(Environment.UserName, server.OsUser);
        }
    }

    /// <summary>Runs a child that starts a server and reports it, then kills the child with SIGKILL.</summary>
    internal static async Task<ChildServerInfo> StartChildAndKillItAsync(string? persistentFolder)
    {
        var report = Path.Combine(TestFolders.Root, "child-" + Guid.NewGuid().ToString("N") + ".json");
        using var child = persistentFolder is null
            ? ChildProcess.Start("hold-ephemeral", report)
            : ChildProcess.Start("hold-persistent", report, persistentFolder);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(report))
            {
                if (child.HasExited)
                {
                    Assert.Fail("child exited early: " + await child.StandardError.ReadToEndAsync());
                }

                Assert.True(DateTime.UtcNow < deadline, "child did not report its server in time");
                await Task.Delay(50);
            }

            return JsonSerializer.Deserialize<ChildServerInfo>(await File.ReadAllTextAsync(report))!;
        }
        finally
        {
            child.Kill(entireProcessTree: false);
            await child.WaitForExitAsync();
            File.Delete(report);
        }
    }

    private static string CopyTestAssemblyForOtherUsers()
    {
        var target = TestFolders.NewFolderPath("child-bin");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        }
        return target;
    }
}
