using System.Globalization;

namespace PgKit.Embedded.Internal;

/// <summary>
/// The temporary root for ephemeral clusters and socket folders: <c>pgkit-&lt;uid&gt;</c> under <c>PGKIT_TEMP_DIR</c>,
/// else under <c>/dev/shm</c> where that memory file system exists, else under the system temp folder. Memory
/// matters: a cluster is about a thousand small files, and copying them to a disk costs about a second where tmpfs
/// takes tens of milliseconds; ephemeral data is thrown away anyway.
/// </summary>
/// <remarks>
/// The root belongs to one user and nobody else may write in it (mode 0711: the server account, when this process is
/// root, may pass through to its own folders but not list or create anything). A shared, world-writable root let any
/// local user plant folders that the orphan clean-up then acted on; a root that exists but is not ours, or that others
/// can write to, is refused rather than used.
/// </remarks>
internal static class TempFolders
{
    public const string EphemeralPrefix = "eph-";
    private const string SharedMemory = "/dev/shm";
    private const UnixFileMode RootMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const uint GroupOrOtherWrite = 0b000_010_010;

    public static string Root
    {
        get
        {
            var root = Path.Combine(BaseFolder(), "pgkit-" + NativeMethods.EffectiveUserId.ToString(CultureInfo.InvariantCulture));
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(root);
                return root;
            }

            if (!Directory.Exists(root))
            {
                Directory.CreateDirectory(root, RootMode);

                try
                {
                    // The umask may have taken the execute bits the server account needs to reach its folders.
                    File.SetUnixFileMode(root, RootMode);
                }
                catch (UnauthorizedAccessException)
                {
                    // Someone else made it first: EnsurePrivate says so.
                }
            }

            EnsurePrivate(root);
            return root;
        }
    }

    /// <summary>Throws unless the folder is a real directory (not a link), owned by this user, and writable by nobody else.</summary>
    internal static void EnsurePrivate(string root)
    {
        if (NativeMethods.StatNoFollow(root) is not { } status)
        {
            return;
        }

        var uid = NativeMethods.EffectiveUserId;
        if ((status.Mode & NativeMethods.FileTypeMask) != NativeMethods.DirectoryType || status.Uid != uid || (status.Mode & GroupOrOtherWrite) != 0)
        {
            throw new PostgresServerException(
                $"PgKit's temporary folder '{root}' is not a private folder of this user (uid {uid}): it is a link, belongs to uid {status.Uid} or can be written by others (mode {Convert.ToString(status.Mode & 0xFFF, 8)}). Something else created it; remove it, or set PGKIT_TEMP_DIR to a folder of your own.");
        }
    }

    /// <summary>
    /// Whether a folder found under the root may be touched by the clean-up: a real directory (not a link) owned by this
    /// user or by the server account. Elsewhere than Linux the root is private to the user already, so any folder is.
    /// </summary>
    public static bool IsOwnedBy(string folder, ServerAccount account)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        return NativeMethods.StatNoFollow(folder) is { } status
            && (status.Mode & NativeMethods.FileTypeMask) == NativeMethods.DirectoryType
            && (status.Uid == NativeMethods.EffectiveUserId || status.Uid == account.Uid);
    }

    private static string BaseFolder()
    {
        var configured = Environment.GetEnvironmentVariable("PGKIT_TEMP_DIR");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        return OperatingSystem.IsLinux() && Directory.Exists(SharedMemory) ? SharedMemory : Path.GetTempPath();
    }

    /// <summary>A new, unique folder name for one ephemeral server.</summary>
    public static string NewEphemeralFolder() =>
        Path.Combine(Root, EphemeralPrefix + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>
    /// A short socket folder for a persistent cluster: unix socket paths are limited to about 100 bytes, and a
    /// project folder can be deep, so sockets live under the temp root, named by a hash of the data folder.
    /// </summary>
    public static string SocketFolderFor(string dataDirectory)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataDirectory));
        return Path.Combine(Root, "s-" + Convert.ToHexStringLower(hash)[..12]);
    }
}
