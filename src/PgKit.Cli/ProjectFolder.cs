using System.CommandLine;
using System.Text.RegularExpressions;

namespace PgKit.Cli;

/// <summary>
/// Decides the app's project folder, which holds the default migrations folder, the appsettings files the connection
/// may come from and the embedded server's data (<c>.pgkit/db</c>): <c>--project</c>, else the current folder when it
/// holds a <c>*.csproj</c> or a migrations folder of <c>.sql</c> files, else the one project below it that looks like
/// the app, else the current folder.
/// </summary>
internal static partial class ProjectFolder
{
    /// <summary>The global <c>--project</c> option.</summary>
    public static readonly Option<string?> Option = new("--project", "-p")
    {
        Description = "The app's project folder or .csproj file (default: the current folder, or the one app project below it).",
        Recursive = true,
    };

    // Folders never worth searching for the app: build output, packages, and hidden folders (.git, .pgkit, .vs).
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", "node_modules", "packages", "artifacts" };

    // Deep enough for src/<App>/ and samples/<group>/<App>/, shallow enough to stay quick when run from a home folder.
    private const int MaxDepth = 4;

    private const int MaxFolders = 5_000;

    /// <summary>The project folder (an absolute path); found once per run and kept in the context.</summary>
    public static string Resolve(ParseResult result, CliContext context) =>
        context.ProjectDirectory ??= Find(result.GetValue(Option), context);

    private static string Find(string? option, CliContext context)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            var path = context.ResolvePath(option);
            if (File.Exists(path) && path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
            {
                return Path.GetDirectoryName(path)!;
            }

            return Directory.Exists(path)
                ? path
                : throw CliException.Usage($"--project {option}: there is no such folder or .csproj file.");
        }

        var here = context.WorkingDirectory;
        if (Directory.EnumerateFiles(here, "*.csproj").Any() || MigrationsFolder.FindSql(here) is not null)
        {
            return here;
        }

        // From a solution root: the app is the project with SQL migrations, else the web project (Microsoft.NET.Sdk.Web)
        // that references PgKit.AspNetCore, which a new app has before its first migration. Libraries and test
        // projects reference PgKit.AspNetCore too, but they are not web projects.
        var projects = Search(here);
        var withMigrations = projects.Where(p => MigrationsFolder.FindSql(p) is not null).ToList();
        var candidates = withMigrations.Count > 0 ? withMigrations : projects.Where(IsPgKitWebApp).ToList();
        if (candidates.Count == 1)
        {
            // On stderr, so `pgkit db url` stays a bare URL on stdout.
            context.Error.WriteLine($"note: using the project in {Relative(context, candidates[0])} (found below the current folder; --project chooses another).");
            return candidates[0];
        }

        if (candidates.Count > 1)
        {
            var list = string.Join(", ", candidates.Select(c => "--project " + Relative(context, c)));
            throw CliException.Usage(
                $"The current folder holds no project, and {candidates.Count} projects below it could be the app; pass --project <path> to choose one: {list}.");
        }

        // A folder that is not a .NET app at all (plain SQL migrations, scripts): the current folder, as always.
        return here;
    }

    private static List<string> Search(string root)
    {
        var found = new List<string>();
        var queue = new Queue<(string Folder, int Depth)>();
        queue.Enqueue((root, 0));
        var visited = 0;
        while (queue.Count > 0 && visited++ < MaxFolders)
        {
            var (folder, depth) = queue.Dequeue();
            IEnumerable<DirectoryInfo> children;
            try
            {
                if (depth > 0 && Directory.EnumerateFiles(folder, "*.csproj").Any())
                {
                    found.Add(folder);
                }

                if (depth == MaxDepth)
                {
                    continue;
                }

                children = new DirectoryInfo(folder).EnumerateDirectories().ToList();
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                continue;
            }

            foreach (var child in children.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                // Symbolic links are not followed: they can loop or lead out of the solution.
                if (!child.Name.StartsWith('.') && !Skipped.Contains(child.Name) && child.LinkTarget is null)
                {
                    queue.Enqueue((child.FullName, depth + 1));
                }
            }
        }

        return found.Order(StringComparer.Ordinal).ToList();
    }

    private static bool IsPgKitWebApp(string projectFolder) =>
        Directory.EnumerateFiles(projectFolder, "*.csproj").Select(File.ReadAllText).Any(text => WebSdk().IsMatch(text) && AspNetCoreReference().IsMatch(text));

    private static string Relative(CliContext context, string folder) => Path.GetRelativePath(context.WorkingDirectory, folder);

    // <PackageReference Include="PgKit.AspNetCore" .../> or <ProjectReference Include="..\PgKit.AspNetCore\PgKit.AspNetCore.csproj" />.
    [GeneratedRegex("""<(?:PackageReference|ProjectReference)\s[^>]*Include\s*=\s*"(?:[^"]*[\\/])?PgKit\.AspNetCore(?:\.csproj)?"[\s/>]""", RegexOptions.IgnoreCase)]
    private static partial Regex AspNetCoreReference();

    // <Project Sdk="Microsoft.NET.Sdk.Web">, the SDK of every ASP.NET Core app.
    [GeneratedRegex("""Sdk\s*=\s*"Microsoft\.NET\.Sdk\.Web["/]""", RegexOptions.IgnoreCase)]
    private static partial Regex WebSdk();
}

/// <summary>
/// The default migrations folder of a project: <c>Migrations/</c> (the name every doc and sample uses) or
/// <c>migrations/</c>, matched by exact name so the rule is the same on case-sensitive and case-insensitive file systems.
/// </summary>
internal static class MigrationsFolder
{
    public const string Preferred = "Migrations";

    public const string Lower = "migrations";

    /// <summary>
    /// The folder to use, or <see langword="null"/> when the project has neither. When both exist (possible where case
    /// matters), the one holding <c>.sql</c> files wins, as with EF Core's <c>Migrations/</c> of C# files beside a
    /// <c>migrations/</c> of SQL; when neither holds any, <c>Migrations/</c>; when both do, the choice is the user's.
    /// </summary>
    public static string? Find(string project)
    {
        var names = Names(project);
        var upper = names.Contains(Preferred) ? Path.Combine(project, Preferred) : null;
        var lower = names.Contains(Lower) ? Path.Combine(project, Lower) : null;
        if (upper is not null && lower is not null)
        {
            var upperSql = HasSql(upper);
            var lowerSql = HasSql(lower);
            if (upperSql && lowerSql)
            {
                throw CliException.Usage($"Both Migrations/ and migrations/ in {project} hold .sql files; pass --dir to say which one is the migrations folder.");
            }

            return lowerSql ? lower : upper;
        }

        return upper ?? lower;
    }

    /// <summary>The default folder when it holds <c>.sql</c> files (a sign the folder is a project of migrations).</summary>
    public static string? FindSql(string project)
    {
        var names = Names(project);
        return new[] { Preferred, Lower }.Where(names.Contains).Select(n => Path.Combine(project, n)).FirstOrDefault(HasSql);
    }

    private static HashSet<string> Names(string folder)
    {
        try
        {
            return new HashSet<string>(Directory.EnumerateDirectories(folder).Select(Path.GetFileName).OfType<string>(), StringComparer.Ordinal);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return [];
        }
    }

    private static bool HasSql(string folder) => Directory.EnumerateFiles(folder, "*.sql").Any();
}
