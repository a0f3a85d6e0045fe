using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
    // TCP, which every local user can reach, always asks for a password (and, with a server certificate, TLS).
    private static string AccessRules(bool tls)
    {
        var tcp = tls ? "hostssl" : "host   ";
        return
            "# Written by PgKit.Embedded on every start; edits are overwritten.\n" +
            "# TYPE  DATABASE  USER  ADDRESS       METHOD\n" +
            "local   all       all                 trust\n" +
            tcp + " all       all   127.0.0.1/32  scram-sha-256\n" +
            tcp + " all       all   ::1/128       scram-sha-256\n" +
            tcp + " replication  " + ReplicationRole + "  127.0.0.1/32  scram-sha-256\n" +
            tcp + " replication  " + ReplicationRole + "  ::1/128       scram-sha-256\n";
    }

    private const string CertificateFile = "server.crt";
    private const string KeyFile = "server.key";

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
        X509Certificate2? certificate,
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

        if (certificate is not null)
        {
            await WriteCertificateAsync(account, dataDirectory, certificate, cancellationToken).ConfigureAwait(false);
            settings.Add(("ssl", "on"));
            settings.Add(("ssl_cert_file", CertificateFile));
            settings.Add(("ssl_key_file", KeyFile));
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
        await WriteAccessRulesAsync(account, dataDirectory, certificate is not null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the certificate and its private key where the server reads them. PostgreSQL refuses a key that others
    /// can read, and so should we: the key file is the server account's alone (mode 0600), created so before it holds the key.
    /// </summary>
    private static async Task WriteCertificateAsync(ServerAccount account, string dataDirectory, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()
            ?? throw new PostgresServerException(
                $"{nameof(PostgresServerOptions)}.{nameof(PostgresServerOptions.ServerCertificate)} ('{certificate.Subject}') has no RSA or ECDSA private key; the server needs one to serve TLS.");
        using (key)
        {
            var certificatePath = Path.Combine(dataDirectory, CertificateFile);
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem(), cancellationToken).ConfigureAwait(false);
            account.Give(certificatePath);

            OwnerOnlyFile.Write(Path.Combine(dataDirectory, KeyFile), key.ExportPkcs8PrivateKeyPem(), account);
        }
    }

    /// <summary>
    /// Writes PgKit's <c>pg_hba.conf</c>; returns whether it changed (a running server then needs a reload). With
    /// <paramref name="tls"/> null (attaching to a running server), TLS stays required if the file required it.
    /// </summary>
    public static async Task<bool> WriteAccessRulesAsync(ServerAccount account, string dataDirectory, bool? tls, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, AccessFile);
        var current = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;
        var rules = AccessRules(tls ?? current?.Contains("\nhostssl ", StringComparison.Ordinal) == true);
        if (current == rules)
        {
            return false;
        }

        await File.WriteAllTextAsync(path, rules, cancellationToken).ConfigureAwait(false);
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
