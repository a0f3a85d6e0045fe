using System.Globalization;
using System.Text;

namespace PgKit.Embedded.Internal;

/// <summary>
/// Makes clusters with initdb and writes the settings PgKit controls. The settings live in <c>pgkit.conf</c>,
/// included from <c>postgresql.conf</c>, and are rewritten on every start; nothing is passed on a command line,
/// so no value ever goes through a shell.
/// </summary>
internal static class ClusterFiles
{
    public const string SuperUser = "postgres";

    /// <summary>The non-superuser role that apps connect as; it owns the databases made for apps.</summary>
    public const string AppRole = "app";

    /// <summary>The role standbys of a replicated cluster stream WAL as; it exists only in such clusters.</summary>
    public const string ReplicationRole = "replicator";

    private const string SettingsFile = "pgkit.conf";
    private const string AccessFile = "pg_hba.conf";

    // The socket lives in a folder only the server account (and root) can enter, so trusting it trusts no one else;
    // TCP, which every local user can reach, always asks for a password.
    private const string AccessRules =
        "# Written by PgKit.Embedded on every start; edits are overwritten.\n" +
        "# TYPE  DATABASE  USER  ADDRESS       METHOD\n" +
        "local   all       all                 trust\n" +
        "host    all       all   127.0.0.1/32  scram-sha-256\n" +
        "host    all       all   ::1/128       scram-sha-256\n" +
        "host    replication  " + ReplicationRole + "  127.0.0.1/32  scram-sha-256\n" +
        "host    replication  " + ReplicationRole + "  ::1/128       scram-sha-256\n";

    /// <summary>The initdb arguments that shape a cluster (and so key the pristine cache).</summary>
    public static readonly string[] InitDbShape = ["-U", SuperUser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-instructions"];

    public static async Task InitAsync(PostgresBinaries binaries, ServerAccount account, string dataDirectory, bool durable, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "-D", dataDirectory };
        arguments.AddRange(InitDbShape);
        if (!durable)
        {
            arguments.Add("--no-sync");
        }

        var result = await account.RunAsync(binaries.InitDb, arguments, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new PostgresServerException(
                $"initdb failed for '{dataDirectory}' (running as '{account.UserName}', exit code {result.ExitCode}){Hint(result.Output)}:{Environment.NewLine}{result.Output.Trim()}");
        }

        await File.AppendAllTextAsync(
            Path.Combine(dataDirectory, "postgresql.conf"),
            $"{Environment.NewLine}# Settings managed by PgKit.Embedded, rewritten on every start.{Environment.NewLine}include_if_exists = '{SettingsFile}'{Environment.NewLine}",
            cancellationToken).ConfigureAwait(false);
    }

    public static async Task WriteSettingsAsync(
        ServerAccount account,
        string dataDirectory,
        int port,
        string socketDirectory,
        bool ephemeral,
        IDictionary<string, string> extra,
        CancellationToken cancellationToken)
    {
        var settings = new List<(string Name, string Value)>
        {
            ("port", port.ToString(CultureInfo.InvariantCulture)),
            ("listen_addresses", "127.0.0.1"),
            ("unix_socket_directories", socketDirectory),
            ("unix_socket_permissions", "0700"),
            ("password_encryption", "scram-sha-256"),
        };
        if (ephemeral)
        {
            // Test servers trade crash safety for speed: a crash loses a throwaway cluster anyway.
            settings.Add(("fsync", "off"));
            settings.Add(("synchronous_commit", "off"));
            settings.Add(("full_page_writes", "off"));
            settings.Add(("max_connections", "300"));
        }

        settings.AddRange(extra.Select(kv => (kv.Key, kv.Value)));

        var text = new StringBuilder("# Written by PgKit.Embedded on every start; edits are overwritten.\n");
        foreach (var (name, value) in settings)
        {
            text.Append(name).Append(" = '").Append(value.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        }

        var path = Path.Combine(dataDirectory, SettingsFile);
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken).ConfigureAwait(false);
        account.Give(path);
        await WriteAccessRulesAsync(account, dataDirectory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes PgKit's <c>pg_hba.conf</c>; returns whether it changed (a running server then needs a reload).</summary>
    public static async Task<bool> WriteAccessRulesAsync(ServerAccount account, string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, AccessFile);
        if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) == AccessRules)
        {
            return false;
        }

        await File.WriteAllTextAsync(path, AccessRules, cancellationToken).ConfigureAwait(false);
        account.Give(path);
        return true;
    }

    /// <summary>The major version a cluster was made with, from its PG_VERSION file, or null when it has none.</summary>
    public static int? ReadMajorVersion(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "PG_VERSION");
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var major)
            ? major
            : null;
    }

    public static string Hint(string toolOutput) =>
        toolOutput.Contains("Permission denied", StringComparison.OrdinalIgnoreCase)
            ? " (the server account cannot reach the folder: every parent folder must be searchable by it, so prefer a folder outside /root)"
            : string.Empty;
}
