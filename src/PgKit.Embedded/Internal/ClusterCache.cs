using System.Security.Cryptography;
using System.Text;

namespace PgKit.Embedded.Internal;

/// <summary>
/// Pristine clusters, freshly made by initdb and never started, kept so the next ephemeral server copies one
/// (tens of milliseconds) instead of running initdb (about a second or more). Keyed by the binaries, their version,
/// the initdb shape and the owning account. A copy keeps owners and modes (<c>cp -a</c>), so a root process can
/// cache clusters owned by the server account.
/// </summary>
internal static class ClusterCache
{
    public static string DefaultDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("PGKIT_CACHE_DIR");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDirectory = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDirectory, "pgkit");
    }

    public static string EntryFor(string cacheDirectory, PostgresBinaries binaries, ServerAccount account)
    {
        var key = string.Join('\n', [binaries.Directory, binaries.Version, account.UserName, .. ClusterFiles.InitDbShape]);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        return Path.Combine(cacheDirectory, $"pristine-{binaries.MajorVersion}-{hash}");
    }

    public static bool Contains(string entry) => ClusterFiles.ReadMajorVersion(entry) is not null;

    /// <summary>Copies a cluster folder, keeping owners and modes.</summary>
    public static async Task CopyAsync(string source, string destination, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync("cp", ["-a", source, destination], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new PostgresServerException($"Could not copy the cluster '{source}' to '{destination}': {result.Output.Trim()}");
        }
    }

    /// <summary>
    /// Stores a pristine cluster as the cache entry. Several processes may race to do it: each copies to its own
    /// temporary name and renames it into place, so a reader never sees a half-written entry.
    /// </summary>
    public static async Task StoreAsync(string pristine, string entry, CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(entry)!;
        Directory.CreateDirectory(parent);
        var temporary = entry + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        await CopyAsync(pristine, temporary, cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.Move(temporary, entry);
        }
        catch (IOException) when (Contains(entry))
        {
            // Another process stored the same entry first; theirs is as good as ours.
            Directory.Delete(temporary, recursive: true);
        }
    }
}
