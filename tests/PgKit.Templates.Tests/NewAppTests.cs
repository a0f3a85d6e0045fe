using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PgKit.Templates.Tests;

/// <summary>
/// A new user's first minutes, from packages only: pack everything with a version unique to this run, install the
/// template and the tool into an empty home with its own package cache (so no stale cached package can pass), make an
/// app with <c>dotnet new pgkit-api</c>, run its tests, start it on the embedded default and ask <c>pgkit</c> about it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class NewAppTests(ITestOutputHelper output, StepLog log) : IClassFixture<StepLog>
{
    private static readonly string Repo = FindRepo();

    [CiFact]
    public async Task DotnetNew_PgkitApi_TestsPass_RunsOnTheEmbeddedDefault_AndThePgkitToolSeesItsMigration()
    {
        var version = "1.0.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var feed = Path.Combine(Repo, "artifacts", "packages");
        var root = Directory.CreateTempSubdirectory("pgkit-new-user-").FullName;

        // Searchable by the embedded server's account when the test runs as root, so the app's .pgkit/ stays inside.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var home = Path.Combine(root, "home");
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["DOTNET_CLI_HOME"] = home,
            ["NUGET_PACKAGES"] = Path.Combine(root, "packages"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
        await File.WriteAllTextAsync(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="pgkit-local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);

        var app = Path.Combine(root, "todo");
        Process? running = null;
        try
        {
            await StepAsync("pack", Repo, TimeSpan.FromMinutes(8), environment, "bash", "scripts/pack.sh", version);
            await StepAsync("install the template", root, TimeSpan.FromMinutes(2), environment, "dotnet", "new", "install", $"PgKit.Templates@{version}", "--add-source", feed);
            await StepAsync("install the tool", root, TimeSpan.FromMinutes(2), environment, "dotnet", "tool", "install", "--tool-path", Path.Combine(root, "tools"), "PgKit.Cli", "--version", version, "--add-source", feed);
            await StepAsync("dotnet new pgkit-api", root, TimeSpan.FromMinutes(1), environment, "dotnet", "new", "pgkit-api", "-o", "todo");

            Assert.True(File.Exists(Path.Combine(app, "src", "todo", "Migrations", "0001_create_todo.sql")));
            Assert.DoesNotMatch("<ProjectReference[^>]*PgKit", string.Concat(Directory.GetFiles(app, "*.csproj", SearchOption.AllDirectories).Select(File.ReadAllText)));

            var test = await StepAsync("dotnet test", app, TimeSpan.FromMinutes(8), environment, "dotnet", "test");
            Assert.Matches(@"Passed!\s+- Failed:\s+0, Passed:\s+[1-9]", test);
            Assert.Contains(Directory.GetDirectories(Path.Combine(root, "packages")), p => Path.GetFileName(p) == "pgkit.aspnetcore");
            Assert.True(Directory.Exists(Path.Combine(root, "packages", "pgkit.aspnetcore", version)), "the app restored this run's PgKit, not a cached one");

            var started = Stopwatch.StartNew();
            // The built app itself, not `dotnet run`, so that SIGTERM reaches it and it stops its embedded server.
            running = Start(
                Path.Combine(app, "src", "todo"),
                new Dictionary<string, string>(environment) { ["ASPNETCORE_ENVIRONMENT"] = "Development" },
                "dotnet",
                Path.Combine("bin", "Debug", "net10.0", "todo.dll"),
                "--urls",
                "http://127.0.0.1:0");
            var address = await WaitForAddressAsync(running, TimeSpan.FromMinutes(2));
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
            var health = await http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            var created = await http.PostAsync("/todos", new StringContent("""{"title":"first"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Report("start the app and answer /healthz", started.Elapsed);

            var status = await StepAsync("pgkit migrate status", app, TimeSpan.FromMinutes(1), environment, Path.Combine(root, "tools", "pgkit"), "migrate", "status");
            Assert.Matches(@"0001\s*│\s*create_todo\s*│\s*applied", status);
            Assert.Contains("1 applied, 0 pending", status, StringComparison.Ordinal);
        }
        finally
        {
            if (running is not null)
            {
                await StopAsync(running);
            }

            // Whatever the app left running (it stops its server on a clean exit), then the whole scratch folder.
            await RunAsync(app, environment, TimeSpan.FromMinutes(1), Path.Combine(root, "tools", "pgkit"), "db", "stop");
            DeleteQuietly(root);
            foreach (var package in Directory.Exists(feed) ? Directory.GetFiles(feed, $"*.{version}.*nupkg") : [])
            {
                File.Delete(package);
            }
        }
    }

    private async Task<string> StepAsync(string name, string folder, TimeSpan timeout, Dictionary<string, string> environment, string program, params string[] arguments)
    {
        var watch = Stopwatch.StartNew();
        var (exitCode, text) = await RunAsync(folder, environment, timeout, program, arguments);
        Report(name, watch.Elapsed);
        Assert.True(exitCode == 0, $"{name} failed (exit code {exitCode}):\n{Tail(text)}");
        return text;
    }

    private void Report(string step, TimeSpan elapsed)
    {
        var line = $"new-user path: {step}: {elapsed.TotalSeconds:0.0} s";
        output.WriteLine(line);
        log.Write(line);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string folder, Dictionary<string, string> environment, TimeSpan timeout, string program, params string[] arguments)
    {
        using var process = Start(folder, environment, program, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalMinutes} min\n" + await stdout + await stderr);
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static Process Start(string folder, Dictionary<string, string> environment, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        // The new app must restore from packages alone, not from this repository's build settings.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("DOTNET_HOST_PATH");
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    private static async Task<string> WaitForAddressAsync(Process app, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var seen = new StringBuilder();
        while (await app.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            seen.AppendLine(line);
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                _ = app.StandardOutput.ReadToEndAsync(CancellationToken.None);
                _ = app.StandardError.ReadToEndAsync(CancellationToken.None);
                return match.Groups["address"].Value;
            }
        }

        throw new InvalidOperationException("The app exited before listening:\n" + seen + await app.StandardError.ReadToEndAsync());
    }

    // A clean stop (SIGTERM), so the app stops its embedded server; SIGKILL only if it hangs.
    private static async Task StopAsync(Process app)
    {
        using (var term = Process.Start("kill", ["-TERM", app.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await app.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            app.Kill(entireProcessTree: true);
        }

        app.Dispose();
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : "...\n" + text[^6000..];

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A scratch folder under the temp folder: the OS cleans it up if a file was still held.
        }
    }

    private static string FindRepo()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PgKit.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (PgKit.slnx) is not above the test's output folder.");
    }

    [GeneratedRegex(@"Now listening on: (?<address>http://\S+)")]
    private static partial Regex ListeningOn();
}
