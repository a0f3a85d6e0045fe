namespace PgKit.Embedded.Internal;

/// <summary>
/// The shared temporary root for ephemeral clusters and socket folders: <c>PGKIT_TEMP_DIR</c>, else
/// <c>/dev/shm/pgkit</c> where that memory file system exists, else the system temp folder. Memory matters: a
/// cluster is about a thousand small files, and copying them to a disk costs about a second where tmpfs takes
/// tens of milliseconds; ephemeral data is thrown away anyway. The root is world-writable with the sticky bit,
/// like /tmp itself, so root and ordinary users can both keep their servers there.
/// </summary>
internal static class TempFolders
{
    public const string EphemeralPrefix = "eph-";
    private const string SharedMemory = "/dev/shm";

    public static string Root
    {
        get
        {
            var root = Path.Combine(BaseFolder(), "pgkit");
            if (!Directory.Exists(root))
            {
                Directory.CreateDirectory(root);
                if (!OperatingSystem.IsWindows())
                {
                    try
                    {
                        File.SetUnixFileMode(root, (UnixFileMode)0b1_111_111_111); // 1777
                    }
                    catch (UnauthorizedAccessException)
                    {
                        // Another user created it first; its mode is theirs to set.
                    }
                }
            }

            return root;
        }
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
