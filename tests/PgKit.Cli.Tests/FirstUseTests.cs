using System.Diagnostics;
using PgKit.Cli.Tests.Support;

namespace PgKit.Cli.Tests;

/// <summary>What a new user's first use of the tool ran into: help, errors, colours, the migrations folder, the project folder.</summary>
public sealed class FirstUseTests : IDisposable
{
    private readonly string _folder = Tool.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Help_NamesTheCommandPgkit_NotTheAssembly()
    {
        var root = await Tool.RunProcessAsync(_folder, null, "--help");
        var migrate = await Tool.RunAsync(_folder, "migrate", "--help");

        Assert.Equal(0, root.ExitCode);
        Assert.Contains("Usage:\n  pgkit [command] [options]", root.Output.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("PgKit.Cli", root.Output);
        Assert.Equal(0, migrate.ExitCode);
        Assert.Contains("  pgkit migrate [command] [options]", migrate.Output);
    }

    [Fact]
    public async Task DeletedCurrentFolder_IsAnErrorLine_NotACrash()
    {
        // A shell left in a folder that was deleted: the tool starts there and cannot read its working directory.
        var gone = Path.Combine(_folder, "gone");
        var startInfo = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _folder };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("mkdir \"$1\" && cd \"$1\" && rmdir \"$1\" && exec dotnet \"$2\" db status");
        startInfo.ArgumentList.Add("sh");
        startInfo.ArgumentList.Add(gone);
        startInfo.ArgumentList.Add(Tool.ToolPath);

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        var error = await stderr;

        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}\n{await stdout}\n{error}");
        Assert.All(error.TrimEnd().Split('\n'), line => Assert.StartsWith("error: ", line));
    }
}
