namespace PgKit.Embedded.Internal;

/// <summary>
/// The shared temporary root for ephemeral clusters and socket folders. It is world-writable with the sticky bit,
/// like /tmp itself, so root and ordinary users can both keep their servers there.
/// </summary>
internal static class TempFolders
{
    public const string EphemeralPrefix = "eph-";

    public static string Root
    {
        get
        {
            var root = Path.Combine(Path.GetTempPath(), "pgkit");
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
