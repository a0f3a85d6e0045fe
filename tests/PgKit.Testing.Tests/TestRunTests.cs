using System.Diagnostics;

namespace PgKit.Testing.Tests;

public sealed class TestRunTests
{
    [Fact]
    public async Task TestRun_LeavesNoServerProcessOrFolderBehind()
    {
        var report = await ChildProcess.RunAsync("run", new Dictionary<string, string?> { [TestPostgres.ConnectionVariable] = null });

        Assert.Equal("True", report["embedded"]);
        var postmaster = int.Parse(report["postmaster"], System.Globalization.CultureInfo.InvariantCulture);
        var deadline = Stopwatch.StartNew();
        while ((IsAlive(postmaster) || Directory.Exists(report["data"])) && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        Assert.False(IsAlive(postmaster), $"postmaster {postmaster} of the finished run is still alive");
        Assert.False(Directory.Exists(report["data"]), $"data folder {report["data"]} of the finished run is still there");
    }

    [Fact]
    public async Task ConnectionVariable_UsesThatServer_InsteadOfStartingOne()
    {
        var server = await TestPostgres.SharedAsync();
        await using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        var port = await connection.FetchValueAsync<string>("SELECT current_setting('port')");

        var report = await ChildProcess.RunAsync("run", new Dictionary<string, string?> { [TestPostgres.ConnectionVariable] = server.ConnectionString });

        Assert.Equal("False", report["embedded"]);
        Assert.Equal(port, report["port"]);
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
