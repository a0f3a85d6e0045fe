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

    [Fact]
    public async Task DefaultMigrationsFolder_IsMigrations_AsInTheDocs_OrMigrationsLowerCase()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        WriteFile("Migrations/0001_a.sql", "CREATE TABLE from_capital (id int);\n");

        var status = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        var created = await Tool.RunAsync(_folder, "migrate", "new", "second");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("0 applied, 1 pending.", status.Output);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.True(File.Exists(Path.Combine(_folder, "Migrations", "0002_second.sql")), created.ToString());

        // Both names (they can coexist where case matters): the one with .sql files, here beside EF Core's C# files.
        Directory.Move(Path.Combine(_folder, "Migrations"), Path.Combine(_folder, "migrations"));
        WriteFile("Migrations/20250101_Init.cs", "// EF Core\n");
        var up = await Tool.RunAsync(_folder, "migrate", "up", "-c", db.ConnectionString);
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.True(await db.TableExistsAsync("from_capital"));

        // Both with .sql files: ambiguous, so the tool asks for --dir rather than guess.
        WriteFile("Migrations/0001_other.sql", "SELECT 1;\n");
        var both = await Tool.RunAsync(_folder, "migrate", "status", "-c", db.ConnectionString);
        Assert.Equal(2, both.ExitCode);
        Assert.StartsWith("error: Both Migrations/ and migrations/", both.Error);
        Assert.Contains("--dir", both.Error);
    }

    [Fact]
    public async Task New_InAFolderWithoutMigrations_CreatesMigrationsCapitalised()
    {
        var result = await Tool.RunAsync(_folder, "migrate", "new", "init");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(_folder, "Migrations", "0001_init.sql")), result.ToString());
    }

    [Fact]
    public async Task Migrate_FromTheSolutionRoot_UsesTheAppProject_ItsMigrationsAndItsAppsettings()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        WriteSolution();
        WriteFile("src/Shop.Api/appsettings.Development.json", $$"""{ "ConnectionStrings": { "Postgres": "{{db.ConnectionString}}" } }""");

        var up = await Tool.RunAsync(_folder, "migrate", "up");

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains("Applied 0001_create_shop.sql", up.Output);
        Assert.Contains("note: using the project in src/Shop.Api", up.Error);
        Assert.True(await db.TableExistsAsync("shop"));

        // --project names it explicitly, as a folder or as the .csproj, from anywhere.
        var byFolder = await Tool.RunAsync(Path.Combine(_folder, "tests"), "migrate", "status", "--project", "../src/Shop.Api");
        var byFile = await Tool.RunAsync(_folder, "migrate", "status", "-p", "src/Shop.Api/Shop.Api.csproj");
        Assert.True(byFolder.ExitCode == 0, byFolder.ToString());
        Assert.Contains("1 applied, 0 pending.", byFolder.Output);
        Assert.Equal(string.Empty, byFolder.Error);
        Assert.True(byFile.ExitCode == 0, byFile.ToString());
        Assert.Contains("1 applied, 0 pending.", byFile.Output);
    }

    [Fact]
    public async Task FromTheSolutionRoot_TwoPossibleApps_FailsSayingWhatToPass()
    {
        WriteSolution();
        WriteFile("src/Admin.Api/Admin.Api.csproj", Csproj("""<PackageReference Include="PgKit.AspNetCore" Version="1.0.0" />"""));
        WriteFile("src/Admin.Api/Migrations/0001_create_admin.sql", "CREATE TABLE admin (id int);\n");

        var result = await Tool.RunAsync(_folder, "migrate", "status", "-c", "Host=127.0.0.1");
        var db = await Tool.RunAsync(_folder, "db", "status");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("--project <path>", result.Error);
        Assert.Contains("--project src/Admin.Api", result.Error);
        Assert.Contains("--project src/Shop.Api", result.Error);
        Assert.DoesNotContain("Shop.Api.Tests", result.Error);
        Assert.Equal(2, db.ExitCode);
        Assert.Contains("--project src/Shop.Api", db.Error);
    }

    [Fact]
    public async Task Db_FromTheSolutionRoot_IsTheServerOfTheAppProject()
    {
        WriteSolution();
        var project = Path.Combine(_folder, "src", "Shop.Api");
        try
        {
            var start = await Tool.RunProcessAsync(_folder, null, "db", "start");
            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Contains(Path.Combine(project, ".pgkit", "db"), start.Output);
            Assert.False(Directory.Exists(Path.Combine(_folder, ".pgkit")));

            // The same server as the one of the project folder itself (where the app runs).
            var fromProject = await Tool.RunAsync(project, "db", "url");
            var fromRoot = await Tool.RunAsync(_folder, "db", "url");
            Assert.True(fromProject.ExitCode == 0, fromProject.ToString());
            Assert.Equal(fromProject.Output, fromRoot.Output);
            Assert.StartsWith("postgres://", fromRoot.Output);
        }
        finally
        {
            await Tool.RunAsync(project, "db", "stop");
        }
    }

    [Fact]
    public async Task New_FromTheSolutionRoot_BeforeTheFirstMigration_GoesToTheWebAppReferencingPgKit()
    {
        WriteFile("Shop.slnx", "<Solution />\n");
        WriteFile("src/Shop.Api/Shop.Api.csproj", Csproj("""<ProjectReference Include="..\..\lib\PgKit.AspNetCore\PgKit.AspNetCore.csproj"/>"""));
        WriteFile("src/Shop.Data/Shop.Data.csproj", Csproj("""<PackageReference Include="PgKit.AspNetCore" Version="1.0.0" />""", "Microsoft.NET.Sdk"));
        WriteFile("src/Other.Web/Other.Web.csproj", Csproj("""<PackageReference Include="Npgsql" Version="10.0.0" />"""));

        var result = await Tool.RunAsync(_folder, "migrate", "new", "init");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(_folder, "src", "Shop.Api", "Migrations", "0001_init.sql")), result.ToString());
        Assert.Contains("Created src/Shop.Api/Migrations/0001_init.sql", result.Output);
    }

    // A solution as `dotnet new` lays it out: the app under src/ with its migrations, its tests under tests/.
    private void WriteSolution()
    {
        WriteFile("Shop.slnx", "<Solution />\n");
        WriteFile("src/Shop.Api/Shop.Api.csproj", Csproj("""<PackageReference Include="PgKit.AspNetCore" Version="1.0.0" />"""));
        WriteFile("src/Shop.Api/Migrations/0001_create_shop.sql", "CREATE TABLE shop (id int);\n");
        WriteFile("tests/Shop.Api.Tests/Shop.Api.Tests.csproj", Csproj("""<ProjectReference Include="../../src/Shop.Api/Shop.Api.csproj" /><PackageReference Include="PgKit.AspNetCore" Version="1.0.0" />""", "Microsoft.NET.Sdk"));
    }

    private static string Csproj(string references, string sdk = "Microsoft.NET.Sdk.Web") =>
        $"""<Project Sdk="{sdk}"><ItemGroup>{references}</ItemGroup></Project>""";

    private void WriteFile(string relative, string text)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
