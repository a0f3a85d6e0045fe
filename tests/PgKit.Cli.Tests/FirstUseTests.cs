using System.Diagnostics;
using System.Text.RegularExpressions;
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

    [Fact]
    public async Task Colours_AreNotWrittenToAPipe_EvenWithTermSet_OrWithNoColor()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_a.sql", "SELECT 1;\n");
        Tool.WriteMigration(_folder, "0002_b.sql", "SELECT 2;\n");
        Assert.Equal(0, (await Tool.RunAsync(_folder, "migrate", "up", "--to", "1", "-c", db.ConnectionString)).ExitCode);

        var piped = await Tool.RunProcessAsync(_folder, new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["DATABASE_URL"] = db.Url }, "migrate", "status");
        var noColor = await Tool.RunProcessAsync(_folder, new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["NO_COLOR"] = "1", ["DATABASE_URL"] = db.Url }, "migrate", "status");

        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Contains("pending", piped.Output);
        Assert.DoesNotContain('\u001b', piped.Output);
        Assert.True(noColor.ExitCode == 0, noColor.ToString());
        Assert.DoesNotContain('\u001b', noColor.Output);
    }

    [Fact]
    public async Task Colours_InATerminal_AreOffForAnyNonEmptyNoColor_AndOnOtherwise()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        Tool.WriteMigration(_folder, "0001_a.sql", "SELECT 1;\n");
        Tool.WriteMigration(_folder, "0002_b.sql", "SELECT 2;\n");
        Assert.Equal(0, (await Tool.RunAsync(_folder, "migrate", "up", "--to", "1", "-c", db.ConnectionString)).ExitCode);

        var plain = await InTerminalAsync(db.Url, noColor: null);
        var disabled = await InTerminalAsync(db.Url, noColor: "1");
        var empty = await InTerminalAsync(db.Url, noColor: string.Empty);

        // A colour is an SGR sequence (ESC [ ... m); the runtime itself writes other sequences to a terminal.
        var colour = new Regex(@"\u001b\[[0-9;]*m");
        Assert.Matches(colour, plain);
        Assert.DoesNotMatch(colour, disabled);
        Assert.Contains("pending", disabled);

        // https://no-color.org: only a non-empty value disables colour.
        Assert.Matches(colour, empty);
    }

    // Runs `pgkit migrate status` with stdout on a pseudo-terminal (util-linux script), as in an interactive shell.
    private async Task<string> InTerminalAsync(string databaseUrl, string? noColor)
    {
        var startInfo = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = _folder };
        foreach (var a in new[] { "-q", "-e", "-c", $"dotnet '{Tool.ToolPath}' migrate status", "/dev/null" })
        {
            startInfo.ArgumentList.Add(a);
        }

        startInfo.Environment["TERM"] = "xterm-256color";
        startInfo.Environment["DATABASE_URL"] = databaseUrl;
        startInfo.Environment.Remove("NO_COLOR");
        if (noColor is not null)
        {
            startInfo.Environment["NO_COLOR"] = noColor;
        }

        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{await stderr}");
        return output;
    }
}
