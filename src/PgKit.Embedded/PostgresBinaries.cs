using System.Globalization;
using System.Text.RegularExpressions;
using PgKit.Embedded.Internal;

namespace PgKit.Embedded;

/// <summary>
/// A PostgreSQL installation's server binaries: the folder holding <c>initdb</c>, <c>pg_ctl</c> and
/// <c>postgres</c>, and the version they report.
/// </summary>
public sealed partial class PostgresBinaries
{
    /// <summary>The environment variable that names the binaries folder, ahead of every automatic search.</summary>
    public const string EnvironmentVariable = "PGKIT_PG_BIN";

    private static readonly string[] RequiredTools = ["initdb", "pg_ctl", "postgres"];

    private PostgresBinaries(string directory, string version)
    {
        Directory = directory;
        Version = version;
        MajorVersion = int.Parse(version.Split('.')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Gets the folder that holds the binaries.</summary>
    public string Directory { get; }

    /// <summary>Gets the version the <c>postgres</c> binary reports, for example <c>15.18</c>.</summary>
    public string Version { get; }

    /// <summary>Gets the major version, for example <c>15</c>; a data folder only opens with binaries of its major version.</summary>
    public int MajorVersion { get; }

    internal string InitDb => Path.Combine(Directory, "initdb");

    internal string PgCtl => Path.Combine(Directory, "pg_ctl");

    internal string Postgres => Path.Combine(Directory, "postgres");

    /// <summary>
    /// Finds the server binaries: <paramref name="directory"/> when given, else <c>PGKIT_PG_BIN</c>, else
    /// <c>pg_config --bindir</c>, else <c>PATH</c>, else the newest <c>/usr/lib/postgresql/*/bin</c>, else the usual
    /// Homebrew, Postgres.app and RHEL places.
    /// </summary>
    /// <param name="directory">An explicit binaries folder; when given, no other place is searched.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The binaries found.</returns>
    /// <exception cref="PostgresBinariesNotFoundException">No folder holding initdb, pg_ctl and postgres was found.</exception>
    public static async Task<PostgresBinaries> LocateAsync(string? directory = null, CancellationToken cancellationToken = default)
    {
        var searched = new List<string>();
        foreach (var (candidate, source) in await CandidatesAsync(directory, cancellationToken).ConfigureAwait(false))
        {
            var missing = RequiredTools.Where(t => !File.Exists(Path.Combine(candidate, t))).ToList();
            if (missing.Count > 0)
            {
                searched.Add($"{candidate} ({source}): no {string.Join(", ", missing)}");
                continue;
            }

            var version = await ReadVersionAsync(Path.Combine(candidate, "postgres"), cancellationToken).ConfigureAwait(false);
            if (version is null)
            {
                searched.Add($"{candidate} ({source}): 'postgres --version' did not report a version");
                continue;
            }

            return new PostgresBinaries(Path.GetFullPath(candidate), version);
        }

        if (searched.Count == 0)
        {
            searched.Add("no candidate folder existed");
        }

        throw new PostgresBinariesNotFoundException(searched);
    }

    private static async Task<List<(string Path, string Source)>> CandidatesAsync(string? explicitDirectory, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            // An explicit choice is final: silently using other binaries would hide the mistake.
            return [(explicitDirectory, "the BinDirectory option")];
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return [(fromEnvironment, EnvironmentVariable)];
        }

        var candidates = new List<(string, string)>();
        var pgConfig = FindOnPath("pg_config");
        if (pgConfig is not null)
        {
            try
            {
                var result = await ProcessRunner.RunAsync(pgConfig, ["--bindir"], cancellationToken).ConfigureAwait(false);
                if (result.Succeeded && result.Output.Trim().Length > 0)
                {
                    candidates.Add((result.Output.Trim(), "pg_config --bindir"));
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // pg_config is not runnable; the other places may still do.
            }
        }

        var initDbOnPath = FindOnPath("initdb");
        if (initDbOnPath is not null)
        {
            // Debian links only some tools into /usr/local/bin or /usr/bin; follow the link to the real folder.
            var resolved = new FileInfo(initDbOnPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initDbOnPath;
            candidates.Add((Path.GetDirectoryName(resolved)!, "PATH"));
        }

        candidates.AddRange(NewestFirst("/usr/lib/postgresql").Select(d => (Path.Combine(d, "bin"), "/usr/lib/postgresql/*/bin")));
        candidates.AddRange(NewestFirst("/opt/homebrew/opt", "postgresql*").Select(d => (Path.Combine(d, "bin"), "Homebrew")));
        candidates.AddRange(NewestFirst("/usr/local/opt", "postgresql*").Select(d => (Path.Combine(d, "bin"), "Homebrew")));
        candidates.Add(("/opt/homebrew/bin", "Homebrew"));
        candidates.Add(("/Applications/Postgres.app/Contents/Versions/latest/bin", "Postgres.app"));
        candidates.AddRange(NewestFirst("/usr", "pgsql-*").Select(d => (Path.Combine(d, "bin"), "/usr/pgsql-*/bin")));

        return candidates
            .Where(c => System.IO.Directory.Exists(c.Item1))
            .DistinctBy(c => Path.GetFullPath(c.Item1))
            .ToList();
    }

    private static IEnumerable<string> NewestFirst(string parent, string pattern = "*")
    {
        if (!System.IO.Directory.Exists(parent))
        {
            return [];
        }

        return System.IO.Directory.GetDirectories(parent, pattern)
            .OrderByDescending(d => VersionOf(Path.GetFileName(d)));
    }

    private static int VersionOf(string name)
    {
        var digits = DigitsRegex().Match(name);
        return digits.Success ? int.Parse(digits.Value, CultureInfo.InvariantCulture) : 0;
    }

    private static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
    }

    private static async Task<string?> ReadVersionAsync(string postgres, CancellationToken cancellationToken)
    {
        try
        {
            var result = await ProcessRunner.RunAsync(postgres, ["--version"], cancellationToken).ConfigureAwait(false);
            var match = VersionRegex().Match(result.Output);
            return result.Succeeded && match.Success ? match.Groups[1].Value : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+(?:\.\d+)?)")]
    private static partial Regex VersionRegex();

    [GeneratedRegex(@"\d+")]
    private static partial Regex DigitsRegex();
}
