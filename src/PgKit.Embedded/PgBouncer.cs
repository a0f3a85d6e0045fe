using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using PgKit.Embedded.Internal;

namespace PgKit.Embedded;

/// <summary>
/// A private PgBouncer in transaction mode in front of a <see cref="PostgresServer"/>, for tests of what a
/// transaction-mode pool changes. It runs as the server's OS account (PgBouncer, like PostgreSQL, refuses to run as
/// root), listens on 127.0.0.1 only, and authenticates the app role with <c>scram-sha-256</c> from an auth file holding
/// the role's SCRAM secret (not its password), readable by that account alone. Its folder lives inside the server's,
/// so the orphan clean-up that stops a dead owner's server stops its PgBouncer too.
/// </summary>
public sealed class PgBouncer : IAsyncDisposable
{
    private const int ImmediateShutdownSignal = 15;
    private static readonly string[] Candidates = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer", "/opt/homebrew/bin/pgbouncer"];

    private readonly PostgresServer _server;
    private readonly string _folder;
    private readonly int _processId;
    private readonly int _poolSize;
    private readonly EventHandler _onProcessExit;
    private int _stopped;

    private PgBouncer(PostgresServer server, string folder, int port, int processId, int poolSize)
    {
        _server = server;
        _folder = folder;
        Port = port;
        _processId = processId;
        _poolSize = poolSize;
        TargetPort = server.Port;
        _onProcessExit = (_, _) => NativeMethods.SendSignal(_processId, ImmediateShutdownSignal);
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
    }

    /// <summary>Gets whether a <c>pgbouncer</c> executable was found (Debian: <c>apt-get install pgbouncer</c>).</summary>
    public static bool IsInstalled => FindExecutable() is not null;

    /// <summary>Gets the TCP port PgBouncer listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Gets the port of the server PgBouncer sends connections to: the server it started in front of, or the member last given to <see cref="RepointAsync"/>.</summary>
    public int TargetPort { get; private set; }

    /// <summary>Gets the path of PgBouncer's log file.</summary>
    public string LogFilePath => Path.Combine(_folder, "pgbouncer.log");

    /// <summary>Starts PgBouncer in transaction mode in front of a running server.</summary>
    /// <param name="server">The server it pools connections to; every database of it is reachable through it, as the app role.</param>
    /// <param name="poolSize">How many server connections each database and role gets (<c>default_pool_size</c>).</param>
    /// <param name="cancellationToken">Cancels the start; a PgBouncer half-started is stopped again.</param>
    /// <returns>The running PgBouncer.</returns>
    /// <exception cref="PostgresServerException">PgBouncer is not installed, or did not start; the message says why.</exception>
    public static async Task<PgBouncer> StartAsync(PostgresServer server, int poolSize = 10, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolSize);
        var executable = FindExecutable() ?? throw new PostgresServerException(
            "PgBouncer is not installed: no 'pgbouncer' executable in /usr/sbin, /usr/bin, /usr/local/bin or on PATH. Install it (Debian/Ubuntu: apt-get install pgbouncer).");

        var account = server.Account;
        var folder = Path.Combine(server.Folder, "pgbouncer-" + Guid.NewGuid().ToString("N")[..8]);
        account.CreateOwnedDirectory(folder);
        var secret = await ReadScramSecretAsync(server, cancellationToken).ConfigureAwait(false);
        OwnerOnlyFile.Write(Path.Combine(folder, "userlist.txt"), $"\"{ClusterFiles.AppRole}\" \"{secret}\"\n", account);

        var port = PortFinder.FreePort();
        var config = BuildConfig(folder, port, server.Port, poolSize);
        var configFile = Path.Combine(folder, "pgbouncer.ini");
        OwnerOnlyFile.Write(configFile, config, account);

        var result = await account.RunAsync(executable, ["-d", "-q", configFile], cancellationToken).ConfigureAwait(false);
        var logFile = Path.Combine(folder, "pgbouncer.log");
        if (!result.Succeeded)
        {
            throw new PostgresServerException($"PgBouncer did not start (exit code {result.ExitCode}, running as '{account.UserName}'): {result.Output.Trim()}{Environment.NewLine}{LogFile.Tail(logFile, 20)}");
        }

        var processId = await WaitUntilListeningAsync(folder, port, cancellationToken).ConfigureAwait(false);

        // The pid came from a file the server account can write: signal it later (as this process, maybe root) only
        // when it is that account's process.
        if (processId is not null && !IsAccountProcess(processId.Value, account))
        {
            processId = null;
        }

        if (processId is null)
        {
            await KillAsync(account, folder).ConfigureAwait(false);
            throw new PostgresServerException($"PgBouncer did not accept connections on port {port} within 10 s. Last lines of {logFile}:{Environment.NewLine}{LogFile.Tail(logFile, 20)}");
        }

        return new PgBouncer(server, folder, port, processId.Value, poolSize);
    }

    /// <summary>
    /// Sends PgBouncer's connections to another member of the cluster, as after a failover: rewrites its configuration
    /// and reloads it (<c>SIGHUP</c>, PgBouncer's <c>RELOAD</c>). Server connections to the old target are closed once
    /// idle; client connections stay open, and their next transaction runs on the new target.
    /// </summary>
    /// <param name="member">The member to send connections to (same cluster: the app role's SCRAM secret is the same on every member).</param>
    /// <param name="cancellationToken">Cancels waiting for the reload.</param>
    /// <returns>A task that completes when PgBouncer has reloaded its configuration.</returns>
    /// <exception cref="ObjectDisposedException">This PgBouncer was stopped.</exception>
    /// <exception cref="PostgresServerException">PgBouncer did not take the new configuration within 10 s.</exception>
    public async Task RepointAsync(ClusterMember member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _stopped) == 1, this);
        var configFile = Path.Combine(_folder, "pgbouncer.ini");
        OwnerOnlyFile.Write(configFile, BuildConfig(_folder, Port, member.Port, _poolSize), _server.Account);

        // The log says "got SIGHUP, re-reading config" once PgBouncer reloads; count such lines before and after.
        var before = CountReloads(LogFilePath);
        await _server.Account.RunAsync("/bin/kill", ["-HUP", _processId.ToString(CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; CountReloads(LogFilePath) <= before; attempt++)
        {
            if (attempt == 200)
            {
                throw new PostgresServerException($"PgBouncer (port {Port}) did not reload its configuration within 10 s. Last lines of {LogFilePath}:{Environment.NewLine}{LogFile.Tail(LogFilePath, 20)}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        TargetPort = member.Port;
    }

    /// <summary>Builds a connection string to a database through PgBouncer, as the app role, password included.</summary>
    /// <param name="database">The database name (made with <see cref="PostgresServer.EnsureAppDatabaseAsync"/>).</param>
    /// <returns>An Npgsql connection string; declare it as a transaction-mode pool in PgKit.AspNetCore (<c>TransactionPooling</c>).</returns>
    public string GetAppConnectionString(string database)
    {
        var direct = new NpgsqlConnectionStringBuilder(_server.GetAppConnectionString(database)) { Port = Port };
        return direct.ConnectionString;
    }

    /// <summary>Stops PgBouncer (immediate shutdown: client connections are closed) and deletes its folder.</summary>
    /// <returns>A task that completes when it has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        await KillAsync(_server.Account, _folder).ConfigureAwait(false);
        for (var i = 0; i < 100 && NativeMethods.ProcessExists(_processId) && !NativeMethods.IsZombie(_processId); i++)
        {
            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The server's own folder goes with the server.
        }
    }

    internal const string PidFileName = "pgbouncer.pid";

    /// <summary>
    /// Stops the PgBouncer whose pid file is in a folder. The pid is read from disk, so the signal is sent as the server
    /// account, which can reach that account's processes alone.
    /// </summary>
    internal static async Task KillAsync(ServerAccount account, string folder)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(Path.Combine(folder, PidFileName), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1)
        {
            await account.RunAsync("/bin/kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string BuildConfig(string folder, int port, int targetPort, int poolSize) =>
        new StringBuilder()
            .Append("[databases]\n")
            .Append(CultureInfo.InvariantCulture, $"* = host=127.0.0.1 port={targetPort}\n")
            .Append("[pgbouncer]\n")
            .Append("listen_addr = 127.0.0.1\n")
            .Append(CultureInfo.InvariantCulture, $"listen_port = {port}\n")
            .Append("unix_socket_dir =\n")
            .Append("auth_type = scram-sha-256\n")
            .Append(CultureInfo.InvariantCulture, $"auth_file = {Path.Combine(folder, "userlist.txt")}\n")
            .Append("pool_mode = transaction\n")
            // To a server that requires TLS (PostgresServerOptions.ServerCertificate), PgBouncer must ask for it; to
            // one that does not, "prefer" falls back to plain TCP on the loopback.
            .Append("server_tls_sslmode = prefer\n")
            .Append(CultureInfo.InvariantCulture, $"default_pool_size = {poolSize}\n")
            .Append("max_client_conn = 1000\n")
            .Append("ignore_startup_parameters = extra_float_digits\n")
            // After a failed connect (a dead primary) PgBouncer waits server_login_retry (15 s by default) before trying
            // again, also after a repoint: 1 s. A client waiting for a server gets an error after query_wait_timeout
            // (120 s by default) rather than a hang: 10 s, inside an app's 30 s command timeout.
            .Append("server_login_retry = 1\n")
            .Append("query_wait_timeout = 10\n")
            .Append(CultureInfo.InvariantCulture, $"pidfile = {Path.Combine(folder, PidFileName)}\n")
            .Append(CultureInfo.InvariantCulture, $"logfile = {Path.Combine(folder, "pgbouncer.log")}\n")
            .ToString();

    private static int CountReloads(string logFile)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            var count = 0;
            while (reader.ReadLine() is { } line)
            {
                if (line.Contains("re-reading config", StringComparison.Ordinal))
                {
                    count++;
                }
            }

            return count;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task<string> ReadScramSecretAsync(PostgresServer server, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand($"SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = '{ClusterFiles.AppRole}'", connection);
            await using (command.ConfigureAwait(false))
            {
                var secret = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
                return secret is not null && secret.StartsWith("SCRAM-SHA-256$", StringComparison.Ordinal) && !secret.Contains('"', StringComparison.Ordinal)
                    ? secret
                    : throw new PostgresServerException($"The '{ClusterFiles.AppRole}' role has no SCRAM secret for PgBouncer to authenticate it with.");
            }
        }
    }

    private static async Task<int?> WaitUntilListeningAsync(string folder, int port, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
                var text = await File.ReadAllTextAsync(Path.Combine(folder, PidFileName), cancellationToken).ConfigureAwait(false);
                return int.Parse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is SocketException or IOException or FormatException)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }

    private static bool IsAccountProcess(int processId, ServerAccount account) =>
        !OperatingSystem.IsLinux()
        || (NativeMethods.StatNoFollow("/proc/" + processId.ToString(CultureInfo.InvariantCulture)) is { } status && status.Uid == account.Uid);

    private static string? FindExecutable()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "pgbouncer"));
        return Candidates.Concat(onPath).FirstOrDefault(File.Exists);
    }
}
