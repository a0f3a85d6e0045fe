using System.Diagnostics;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PgKit.Cli;

/// <summary>
/// A Roslyn compilation of an app project, built from what MSBuild says about it (<c>dotnet msbuild -getItem</c>):
/// its source files, global usings, references (project references are built first) and language settings. The
/// project's own analyzers and generators do not run: finding SQL needs only the app's code and its references'
/// symbols, so this is faster and cannot be broken by the very diagnostics it is about to refresh.
/// </summary>
internal static class ProjectCompilation
{
    public static async Task<Compilation> LoadAsync(string projectFolder, CliContext context, CancellationToken cancellationToken)
    {
        var projects = Directory.GetFiles(projectFolder, "*.csproj");
        if (projects.Length != 1)
        {
            throw new CliException(projects.Length == 0
                ? $"The project folder {projectFolder} has no .csproj file, so there is no code to find SQL in; pass --project."
                : $"The project folder {projectFolder} has {projects.Length} .csproj files; pass --project <file.csproj>.");
        }

        var json = await RunMsBuildAsync(projects[0], context, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(json);
        var properties = document.RootElement.GetProperty("Properties");
        var items = document.RootElement.GetProperty("Items");
        var parse = new CSharpParseOptions(
            LanguageVersionOf(properties.GetProperty("LangVersion").GetString()),
            preprocessorSymbols: (properties.GetProperty("DefineConstants").GetString() ?? string.Empty)
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var objFolder = Path.Combine(projectFolder, "obj") + Path.DirectorySeparatorChar;
        var trees = new List<SyntaxTree>();
        foreach (var item in items.GetProperty("Compile").EnumerateArray())
        {
            var path = item.GetProperty("FullPath").GetString()!;
            // Files MSBuild generates under obj/ (global usings, assembly info) are left out; the usings are rebuilt below.
            if (path.StartsWith(objFolder, StringComparison.Ordinal) || !File.Exists(path))
            {
                continue;
            }

            var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            trees.Add(CSharpSyntaxTree.ParseText(text, parse, path, System.Text.Encoding.UTF8, cancellationToken));
        }

        trees.Add(CSharpSyntaxTree.ParseText(GlobalUsings(items), parse, "GlobalUsings.pgkit.cs", System.Text.Encoding.UTF8, cancellationToken));
        var references = items.GetProperty("ReferencePath").EnumerateArray()
            .Select(r => r.GetProperty("FullPath").GetString()!)
            .Where(File.Exists)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        var nullable = string.Equals(properties.GetProperty("Nullable").GetString(), "enable", StringComparison.OrdinalIgnoreCase)
            ? NullableContextOptions.Enable
            : NullableContextOptions.Disable;
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: nullable);
        var name = properties.GetProperty("AssemblyName").GetString() ?? Path.GetFileNameWithoutExtension(projects[0]);
        return CSharpCompilation.Create(name, trees, references, options);
    }

    private static LanguageVersion LanguageVersionOf(string? text) =>
        LanguageVersionFacts.TryParse(text, out var version) ? version : LanguageVersion.Latest;

    private static string GlobalUsings(JsonElement items)
    {
        var builder = new System.Text.StringBuilder();
        if (!items.TryGetProperty("Using", out var usings))
        {
            return string.Empty;
        }

        foreach (var item in usings.EnumerateArray())
        {
            var name = item.GetProperty("Identity").GetString();
            var alias = item.TryGetProperty("Alias", out var a) ? a.GetString() : null;
            var isStatic = item.TryGetProperty("Static", out var s) && string.Equals(s.GetString(), "true", StringComparison.OrdinalIgnoreCase);
            builder.Append("global using ")
                .Append(isStatic ? "static " : string.Empty)
                .Append(string.IsNullOrEmpty(alias) ? string.Empty : alias + " = ")
                .Append("global::").Append(name).AppendLine(";");
        }

        return builder.ToString();
    }

    private static async Task<string> RunMsBuildAsync(string project, CliContext context, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(project)!,
        };
        foreach (var argument in new[]
                 {
                     "msbuild", project, "-restore", "-nologo", "-t:ResolveReferences",
                     "-getItem:Compile", "-getItem:ReferencePath", "-getItem:Using",
                     "-getProperty:LangVersion", "-getProperty:DefineConstants", "-getProperty:Nullable", "-getProperty:AssemblyName",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        context.Output.WriteLine($"Reading the project {Path.GetFileName(project)} (dotnet msbuild; project references are built)...");
        using var process = Process.Start(start) ?? throw new CliException("Could not start 'dotnet' to read the project; is the .NET SDK on PATH?");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var stdout = await output.ConfigureAwait(false);
        var stderr = await error.ConfigureAwait(false);
        var start0 = stdout.IndexOf('{', StringComparison.Ordinal);
        if (process.ExitCode != 0 || start0 < 0)
        {
            var detail = string.Join(" ", (stdout + "\n" + stderr).Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(3).Select(l => l.Trim()));
            throw new CliException($"dotnet msbuild could not read {Path.GetFileName(project)} (exit code {process.ExitCode}): {detail}");
        }

        return stdout[start0..];
    }
}
