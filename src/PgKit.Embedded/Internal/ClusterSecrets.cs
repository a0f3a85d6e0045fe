using System.Security.Cryptography;
using System.Text.Json;

namespace PgKit.Embedded.Internal;

/// <summary>
/// The passwords of a cluster's roles, made at random with the cluster and kept in <c>secrets.json</c> beside
/// it, readable and writable by this user alone (mode 0600). PgKit's own connection strings carry them, so nobody
/// types them; another local user can neither read them nor log in over TCP without them.
/// </summary>
/// <remarks>
/// The replication role's password exists only in a replicated cluster's members (<see cref="PostgresCluster"/>);
/// a secrets file written by an earlier version has none.
/// </remarks>
internal sealed record ClusterSecrets(string SuperUserPassword, string AppPassword, string? ReplicationPassword = null)
{
    public const string FileName = "secrets.json";

    /// <summary>Reads the secrets kept in a folder, or null when there are none (or they cannot be read).</summary>
    public static ClusterSecrets? Read(string folder)
    {
        try
        {
            var secrets = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(folder, FileName)), EmbeddedJson.Default.ClusterSecrets);
            return secrets is { SuperUserPassword.Length: > 0, AppPassword.Length: > 0 } ? secrets : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads the folder's secrets, or makes and stores new ones.</summary>
    /// <returns>The secrets, and whether they were just made (so the server's roles still need them).</returns>
    public static (ClusterSecrets Secrets, bool Created) ReadOrCreate(string folder)
    {
        if (Read(folder) is { } existing)
        {
            return (existing, false);
        }

        var secrets = new ClusterSecrets(NewPassword(), NewPassword());
        Write(folder, secrets);
        return (secrets, true);
    }

    /// <summary>Adds a replication password to the folder's secrets (when they have none yet) and returns them.</summary>
    public static ClusterSecrets WithReplicationPassword(string folder, ClusterSecrets secrets)
    {
        if (secrets.ReplicationPassword is not null)
        {
            return secrets;
        }

        var replicated = secrets with { ReplicationPassword = NewPassword() };
        Write(folder, replicated);
        return replicated;
    }

    /// <summary>Stores secrets in a folder, owner-only (mode 0600), replacing any there.</summary>
    public static void Write(string folder, ClusterSecrets secrets)
    {
        var path = Path.Combine(folder, FileName);
        var temporary = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        File.Delete(temporary);
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, secrets, EmbeddedJson.Default.ClusterSecrets);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A new random password.</summary>
    // 32 random bytes as hex: no character that needs quoting in SQL, a connection string or a URL.
    public static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
