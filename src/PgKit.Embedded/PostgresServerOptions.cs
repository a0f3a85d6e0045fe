using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace PgKit.Embedded;

/// <summary>
/// Options for <see cref="PostgresServer.StartAsync(PostgresServerOptions?, CancellationToken)"/>. With no
/// <see cref="DataDirectory"/> the server is ephemeral (a fresh cluster in a temporary folder, deleted on dispose,
/// tuned for speed); with one it is persistent (the data survives restarts, durable settings).
/// </summary>
public sealed class PostgresServerOptions
{
    /// <summary>
    /// Gets or sets the folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: search as <see cref="PostgresBinaries.LocateAsync"/> describes.</value>
    public string? BinDirectory { get; set; }

    /// <summary>
    /// Gets or sets the folder of a persistent server. PgKit keeps the cluster in its <c>pgdata</c> subfolder and
    /// the server log, lock and owner files beside it. Two processes that open the same folder share one server.
    /// </summary>
    /// <value>The default is <see langword="null"/>: an ephemeral server in a temporary folder.</value>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Gets or sets the unprivileged OS account the server runs as when this process is root (PostgreSQL refuses
    /// to run as root). Ignored otherwise: the server then runs as the current user.
    /// </summary>
    /// <value>The default value is <c>postgres</c>.</value>
    public string OsUser { get; set; } = "postgres";

    /// <summary>Gets or sets the TCP port on 127.0.0.1; 0 picks a free one.</summary>
    /// <value>The default value is 0. A persistent server reuses its previous port when that is still free.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets how long starting may take, including waiting for another process starting the same persistent folder.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets whether an ephemeral server copies a cached, freshly <c>initdb</c>-ed cluster instead of running
    /// <c>initdb</c> each time. The cache is keyed by the binaries, their version and the cluster settings.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseClusterCache { get; set; } = true;

    /// <summary>Gets or sets where cached pristine clusters are kept.</summary>
    /// <value>The default is <c>PGKIT_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/pgkit</c>, else <c>~/.cache/pgkit</c>.</value>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// Gets extra server settings (<c>postgresql.conf</c> names and values), applied after PgKit's own, for example
    /// <c>max_connections</c> or <c>shared_buffers</c>.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets whether disposing the server stops it. Set to <see langword="false"/> to leave a persistent
    /// server running for later processes (as <c>pgkit db start</c> does). Ephemeral servers always stop.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool StopOnDispose { get; set; } = true;

    /// <summary>
    /// Gets or sets the certificate, with its private key (RSA or ECDSA), that the server presents over TCP. When set,
    /// TCP connections must use TLS (plain ones are refused) and clients can verify the server with
    /// <c>SSL Mode=VerifyFull;Root Certificate=...</c>, as they would a production server. The key is written to the
    /// cluster folder, readable by the server account only.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no TLS (the server listens on 127.0.0.1 only).</value>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>Gets or sets the logger factory for start, stop and clean-up messages.</summary>
    /// <value>The default is <see langword="null"/>: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal bool IsPersistent => DataDirectory is not null;

    /// <summary>A copy for one member of a replicated cluster: ephemeral, with the given settings after these options' own.</summary>
    internal PostgresServerOptions ForMember(IEnumerable<KeyValuePair<string, string>> memberSettings)
    {
        var copy = new PostgresServerOptions
        {
            BinDirectory = BinDirectory,
            OsUser = OsUser,
            StartTimeout = StartTimeout,
            UseClusterCache = UseClusterCache,
            CacheDirectory = CacheDirectory,
            LoggerFactory = LoggerFactory,
            ServerCertificate = ServerCertificate,
        };
        foreach (var (name, value) in Settings.Concat(memberSettings))
        {
            copy.Settings[name] = value;
        }

        return copy;
    }

    /// <summary>
    /// Options for the persistent development server of a project folder, the one an app started in that folder
    /// (PgKit.AspNetCore's embedded default) and <c>pgkit db</c> run there both use: <c>.pgkit/db</c> inside the folder.
    /// When this process is root and the unprivileged server account cannot reach that folder (a checkout under
    /// <c>/root</c>, say), the data lives in <c>/var/lib/pgkit/&lt;folder name&gt;-&lt;hash&gt;</c> instead.
    /// </summary>
    /// <param name="projectDirectory">The project folder, for example the app's content root or the current folder.</param>
    /// <returns>New options with <see cref="DataDirectory"/> set.</returns>
    public static PostgresServerOptions ForProject(string projectDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectDirectory);
        var project = Path.GetFullPath(projectDirectory);
        var options = new PostgresServerOptions { DataDirectory = Path.Combine(project, ".pgkit", "db") };
        if (Internal.NativeMethods.IsRoot && !ReachableByOthers(project))
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(project)))[..12];
            options.DataDirectory = Path.Combine("/var/lib/pgkit", $"{Path.GetFileName(project)}-{hash}");
        }

        return options;
    }

    // Whether an account other than the owner can walk down to the folder (every ancestor searchable by others).
    private static bool ReachableByOthers(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        for (var current = new DirectoryInfo(folder); current is not null; current = current.Parent)
        {
            if (current.Exists && !current.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }

        return true;
    }

    internal void Validate()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add($"{nameof(Port)} must be between 0 and 65535 (was {Port}).");
        }

        if (StartTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(StartTimeout)} must be positive (was {StartTimeout}).");
        }

        if (string.IsNullOrWhiteSpace(OsUser))
        {
            problems.Add($"{nameof(OsUser)} must name an OS account.");
        }

        if (DataDirectory is not null && string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Add($"{nameof(DataDirectory)} must be null (ephemeral) or a folder path.");
        }

        foreach (var (name, value) in Settings)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.')))
            {
                problems.Add($"Setting name '{name}' is not a valid postgresql.conf name.");
            }

            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                problems.Add($"Setting '{name}' has a line break in its value.");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid PostgresServerOptions: " + string.Join(" ", problems));
        }
    }
}
