using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PgKit.Embedded.Internal;

namespace PgKit.Embedded;

/// <summary>
/// A private PostgreSQL server started from the machine's own PostgreSQL binaries: no Docker, no system service.
/// It listens on 127.0.0.1 only, where every connection needs a password, and on a unix socket in a folder only the
/// server account can enter. It is for development and tests, never for production.
/// </summary>
/// <remarks>
/// <para>
/// An ephemeral server (no <see cref="PostgresServerOptions.DataDirectory"/>) lives in a temporary folder that is
/// deleted when the server stops; it runs with <c>fsync</c>, <c>synchronous_commit</c> and
/// <c>full_page_writes</c> off, and copies a cached pristine cluster instead of running <c>initdb</c>.
/// A persistent server keeps its data in the given folder with durable settings; a second process that opens
/// the same folder attaches to the running server instead of starting another.
/// </para>
/// <para>
/// When this process is root the server runs as <see cref="PostgresServerOptions.OsUser"/>, since PostgreSQL
/// refuses to run as root. A server whose owner process died is cleaned up (ephemeral) or adopted (persistent)
/// by the next start, so orphaned <c>postgres</c> processes do not pile up.
/// </para>
/// <para>
/// The cluster has two roles, each with a random password made with the cluster and kept in <c>secrets.json</c>
/// beside it, readable by this OS user alone: the <c>postgres</c> superuser, for administrative work
/// (<see cref="ConnectionString"/>, <see cref="GetConnectionString"/>), and <c>app</c>, a role without superuser
/// rights that owns the databases made for apps (<see cref="EnsureAppDatabaseAsync"/>): what an app connects as, so
/// that an SQL injection cannot become a command run on the machine. A cluster made by an earlier version with
/// password-free TCP access is secured in place on its next start.
/// </para>
/// </remarks>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string Host = "127.0.0.1";

    private readonly ServerAccount _account;
    private readonly ILogger _logger;
    private readonly string? _ephemeralFolder;
    private readonly string _ownerFolder;
    private readonly string _logFile;
    private readonly bool _stopsServer;
    private readonly EventHandler? _onProcessExit;
    private int _stopped;

    private readonly ClusterSecrets _secrets;

    private PostgresServer(StartContext context, string dataDirectory, int port, string socketDirectory, ClusterOrigin origin, bool stopsServer, string ownerFolder, string? ephemeralFolder, ClusterSecrets secrets)
    {
        _secrets = secrets;
        _account = context.Account;
        _logger = context.Logger;
        _logFile = context.LogFile!;
        _ownerFolder = ownerFolder;
        _ephemeralFolder = ephemeralFolder;
        _stopsServer = stopsServer;
        Binaries = context.Binaries;
        DataDirectory = dataDirectory;
        Port = port;
        SocketDirectory = socketDirectory;
        Origin = origin;
        ConnectionString = GetConnectionString("postgres");

        if (stopsServer)
        {
            // A last chance to stop the server when the process ends without disposing it (Ctrl+C, test host exit).
            _onProcessExit = (_, _) => StopOnProcessExit();
            AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
        }
    }

    /// <summary>Gets the binaries the server runs on.</summary>
    public PostgresBinaries Binaries { get; }

    /// <summary>Gets the PostgreSQL version, for example <c>15.18</c>.</summary>
    public string Version => Binaries.Version;

    /// <summary>Gets the cluster's data folder (the <c>PGDATA</c> of the server).</summary>
    public string DataDirectory { get; }

    /// <summary>Gets the TCP port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Gets the folder holding the server's unix socket.</summary>
    public string SocketDirectory { get; }

    /// <summary>Gets the OS account the server processes run as.</summary>
    public string OsUser => _account.UserName;

    /// <summary>Gets whether the server's data is deleted when it stops.</summary>
    public bool IsEphemeral => _ephemeralFolder is not null;

    /// <summary>Gets where the cluster came from: a fresh <c>initdb</c>, the pristine cache, an existing folder, or another process's running server.</summary>
    public ClusterOrigin Origin { get; }

    /// <summary>Gets the path of the server's log file.</summary>
    public string LogFilePath => _logFile;

    /// <summary>
    /// Gets an Npgsql connection string to the <c>postgres</c> database as the <c>postgres</c> superuser, password
    /// included: for administrative work (creating databases, migrations' owner in tests), not for an app.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>Gets the name of the role without superuser rights that apps connect as: <c>app</c>.</summary>
    public string AppRole => ClusterFiles.AppRole;

    /// <summary>The cluster's passwords, for a replicated cluster made from this server.</summary>
    internal ClusterSecrets Secrets => _secrets;

    /// <summary>The account the server runs as.</summary>
    internal ServerAccount Account => _account;

    /// <summary>The folder holding the data, log and secrets: the ephemeral folder, or the persistent one.</summary>
    internal string Folder => _ownerFolder;

    /// <summary>Whether the postmaster is running now.</summary>
    internal bool IsRunning => PostmasterPid.ReadRunning(DataDirectory) is not null;

    /// <summary>
    /// Starts an ephemeral server whose cluster is made by <paramref name="seed"/> (a base backup of another server)
    /// instead of initdb: same folders, owner record, orphan clean-up, root handling and stop-on-exit as any
    /// ephemeral server.
    /// </summary>
    internal static async Task<PostgresServer> StartSeededAsync(PostgresServerOptions options, ServerSeed seed, CancellationToken cancellationToken)
    {
        options.Validate();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        var context = new StartContext(options, (ILogger?)options.LoggerFactory?.CreateLogger<PostgresServer>() ?? NullLogger.Instance) { Seed = seed };
        try
        {
            context.Binaries = await PostgresBinaries.LocateAsync(options.BinDirectory, timeout.Token).ConfigureAwait(false);
            context.Account = ServerAccount.Resolve(options.OsUser);
            return await StartEphemeralAsync(context, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var log = context.LogFile is null ? string.Empty : Environment.NewLine + "Last lines of the server log:" + Environment.NewLine + LogFile.Tail(context.LogFile, 30);
            throw new PostgresServerException($"The embedded PostgreSQL standby did not start within {options.StartTimeout.TotalSeconds:0.#} s (PostgresServerOptions.StartTimeout).{log}");
        }
    }

    /// <summary>Stops the postmaster but keeps the folder, so <see cref="RestartAsync"/> can start it again.</summary>
    /// <param name="immediate">An immediate shutdown (as a crash: no checkpoint, clients cut off) rather than a fast one.</param>
    /// <param name="cancellationToken">Cancels waiting for the stop.</param>
    internal async Task HaltAsync(bool immediate, CancellationToken cancellationToken)
    {
        if (!IsRunning)
        {
            return;
        }

        var result = await _account.RunAsync(Binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "30", "-s"], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && IsRunning)
        {
            throw new PostgresServerException($"The server on port {Port} did not stop: {result.Output.Trim()}");
        }
    }

    /// <summary>Starts a server stopped by <see cref="HaltAsync"/> again, on the same port with the same settings.</summary>
    internal async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stopped) == 1)
        {
            throw new ObjectDisposedException(nameof(PostgresServer), "The server was stopped for good (StopAsync or DisposeAsync) and its folder deleted.");
        }

        if (IsRunning)
        {
            return;
        }

        var result = await _account.RunAsync(Binaries.PgCtl, ["start", "-D", DataDirectory, "-l", _logFile, "-w", "-t", "60", "-s"], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new PostgresServerException($"The server on port {Port} did not start again (pg_ctl exit code {result.ExitCode}): {result.Output.Trim()}{Environment.NewLine}Last lines of {_logFile}:{Environment.NewLine}{LogFile.Tail(_logFile, 30)}");
        }
    }

    /// <summary>Starts a server (or, for a persistent folder already being served, attaches to it).</summary>
    /// <param name="options">The options; <see langword="null"/> starts an ephemeral server with the defaults.</param>
    /// <param name="cancellationToken">Cancels the start; a server half-started is stopped again.</param>
    /// <returns>The running server, ready to accept connections.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="PostgresBinariesNotFoundException">No PostgreSQL server binaries were found.</exception>
    /// <exception cref="PostgresServerException">The server could not be prepared or did not come up in time; the message ends with the server log's last lines.</exception>
    public static async Task<PostgresServer> StartAsync(PostgresServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresServerOptions();
        options.Validate();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        var context = new StartContext(options, (ILogger?)options.LoggerFactory?.CreateLogger<PostgresServer>() ?? NullLogger.Instance);
        try
        {
            context.Binaries = await PostgresBinaries.LocateAsync(options.BinDirectory, timeout.Token).ConfigureAwait(false);
            context.Account = ServerAccount.Resolve(options.OsUser);
            return options.IsPersistent
                ? await StartPersistentAsync(context, timeout.Token).ConfigureAwait(false)
                : await StartEphemeralAsync(context, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var log = context.LogFile is null ? string.Empty : Environment.NewLine + "Last lines of the server log:" + Environment.NewLine + LogFile.Tail(context.LogFile, 30);
            throw new PostgresServerException($"The embedded PostgreSQL server did not start within {options.StartTimeout.TotalSeconds:0.#} s (PostgresServerOptions.StartTimeout).{log}");
        }
    }

    /// <summary>Reports the server running for a persistent folder, without starting or attaching to anything.</summary>
    /// <param name="folder">The persistent folder (<see cref="PostgresServerOptions.DataDirectory"/>).</param>
    /// <returns>The running server, or <see langword="null"/> when none runs for that folder.</returns>
    public static RunningServer? FindRunning(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        var dataDirectory = Path.Combine(full, "pgdata");
        var running = PostmasterPid.ReadRunning(dataDirectory);
        if (running is null)
        {
            return null;
        }

        var owner = OwnerRecord.Read(full);
        var ownerId = owner is { Detached: false } && owner.OwnerIsAlive() ? owner.ProcessId : (int?)null;
        return new RunningServer(dataDirectory, running.ProcessId, running.Port, running.SocketDirectory, ownerId) { Secrets = ClusterSecrets.Read(full) };
    }

    /// <summary>
    /// Stops the server running for a persistent folder, whoever started it (as <c>pgkit db stop</c> does), with a
    /// fast shutdown. Open sessions are ended; the data is kept.
    /// </summary>
    /// <param name="folder">The persistent folder (<see cref="PostgresServerOptions.DataDirectory"/>).</param>
    /// <param name="options">Where to find the binaries and which account runs the server; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels waiting for the stop.</param>
    /// <returns><see langword="true"/> when a running server was stopped; <see langword="false"/> when none was running.</returns>
    /// <exception cref="PostgresServerException">The server did not stop.</exception>
    public static async Task<bool> StopPersistentAsync(string folder, PostgresServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new PostgresServerOptions();
        var full = Path.GetFullPath(folder);
        var dataDirectory = Path.Combine(full, "pgdata");
        if (PostmasterPid.ReadRunning(dataDirectory) is null)
        {
            return false;
        }

        var binaries = await PostgresBinaries.LocateAsync(options.BinDirectory, cancellationToken).ConfigureAwait(false);
        var account = ServerAccount.Resolve(options.OsUser);
        using var folderLock = await FolderLock.AcquireAsync(Path.Combine(full, "pgkit.lock"), cancellationToken).ConfigureAwait(false);
        var result = await account.RunAsync(binaries.PgCtl, ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "-s"], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && PostmasterPid.ReadRunning(dataDirectory) is not null)
        {
            throw new PostgresServerException($"The server for '{full}' did not stop: {result.Output.Trim()}");
        }

        File.Delete(Path.Combine(full, OwnerRecord.FileName));
        DeleteFolder(TempFolders.SocketFolderFor(dataDirectory));
        return true;
    }

    /// <summary>Builds a connection string to one database of this server as the <c>postgres</c> superuser, password included.</summary>
    /// <param name="database">The database name.</param>
    /// <returns>An Npgsql connection string.</returns>
    public string GetConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return BuildConnectionString(Port, database, ClusterFiles.SuperUser, _secrets.SuperUserPassword);
    }

    /// <summary>Builds a connection string to one database as the <see cref="AppRole"/> role (no superuser rights), password included.</summary>
    /// <param name="database">The database name; make it with <see cref="EnsureAppDatabaseAsync"/>.</param>
    /// <returns>An Npgsql connection string.</returns>
    public string GetAppConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return BuildConnectionString(Port, database, ClusterFiles.AppRole, _secrets.AppPassword);
    }

    /// <summary>
    /// Makes sure a database exists and belongs to the <see cref="AppRole"/> role, so an app connecting as that role
    /// may create and change its schema there. A database (and the tables, sequences, types and functions in it) left
    /// owned by the superuser by an earlier version is handed over, so its data stays reachable.
    /// </summary>
    /// <param name="database">The database name (quoted, so any name PostgreSQL accepts works).</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    /// <returns>A connection string to the database as the app role.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than 63 bytes or holds a NUL character.</exception>
    public async Task<string> EnsureAppDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        var quoted = Identifier.Quote(database, nameof(database));
        await ClusterRoles.EnsureAppDatabaseAsync(GetUnpooledAdminConnectionString("postgres"), GetUnpooledAdminConnectionString(database), database, quoted, cancellationToken).ConfigureAwait(false);
        return GetAppConnectionString(database);
    }

    internal static string BuildConnectionString(int port, string database, string user, string password) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = port,
            Username = user,
            Password = password,
            Database = database,
        }.ConnectionString;

    private string GetUnpooledAdminConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(GetConnectionString(database)) { Pooling = false }.ConnectionString;

    /// <summary>Creates a database, optionally as a copy of a template database.</summary>
    /// <param name="name">The new database's name (quoted, so any name PostgreSQL accepts works).</param>
    /// <param name="template">The template to copy; <see langword="null"/> uses PostgreSQL's default (<c>template1</c>).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>A connection string to the new database.</returns>
    /// <exception cref="ArgumentException">A name is empty, longer than 63 bytes or holds a NUL character.</exception>
    /// <exception cref="PostgresException">PostgreSQL refused, for example because the database exists.</exception>
    public async Task<string> CreateDatabaseAsync(string name, string? template = null, CancellationToken cancellationToken = default)
    {
        var sql = "CREATE DATABASE " + Identifier.Quote(name, nameof(name))
            + (template is null ? string.Empty : " TEMPLATE " + Identifier.Quote(template, nameof(template)));
        await ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        return GetConnectionString(name);
    }

    /// <summary>Drops a database if it exists, ending any sessions still connected to it.</summary>
    /// <param name="name">The database's name.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>A task that completes when the database is gone.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than 63 bytes or holds a NUL character.</exception>
    public Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DROP DATABASE IF EXISTS " + Identifier.Quote(name, nameof(name)) + " WITH (FORCE)", cancellationToken);

    /// <summary>Reads the last lines of the server's log, for diagnostics.</summary>
    /// <param name="lines">How many lines at most.</param>
    /// <returns>The lines, or a note saying why there are none.</returns>
    public string ReadLogTail(int lines = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        return LogFile.Tail(_logFile, lines);
    }

    /// <summary>
    /// Stops the server with a fast shutdown (open sessions are ended) and, for an ephemeral server, deletes its
    /// folder. A server this instance only attached to, or one left running on purpose
    /// (<see cref="PostgresServerOptions.StopOnDispose"/> off), is left running. Calling it again does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for the stop.</param>
    /// <returns>A task that completes when the server is stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (_onProcessExit is not null)
        {
            AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        }

        if (!_stopsServer)
        {
            return;
        }

        await StopClusterAsync(cancellationToken).ConfigureAwait(false);
        if (_ephemeralFolder is not null)
        {
            DeleteFolder(_ephemeralFolder);
        }
        else
        {
            File.Delete(Path.Combine(_ownerFolder, OwnerRecord.FileName));
            DeleteFolder(SocketDirectory);
        }

        Log.Stopped(_logger, Port);
    }

    /// <summary>Stops the server as <see cref="StopAsync"/> does.</summary>
    /// <returns>A task that completes when the server is stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private static async Task<PostgresServer> StartEphemeralAsync(StartContext context, CancellationToken cancellationToken)
    {
        await OrphanReaper.ReapAsync(context.Binaries, context.Account, context.Logger, cancellationToken).ConfigureAwait(false);

        var folder = TempFolders.NewEphemeralFolder();
        context.LogFile = Path.Combine(folder, "server.log");
        var dataDirectory = Path.Combine(folder, "pgdata");
        PostgresServer? server = null;
        try
        {
            context.Account.CreateOwnedDirectory(folder);

            // Written first, so a crash from here on leaves a folder the next start knows to clean up.
            OwnerRecord.ForCurrentProcess(detached: false).Write(folder);

            ClusterOrigin origin;
            if (context.Seed is { } seed)
            {
                var settings = await seed.Prepare(new SeedTarget(context.Binaries, context.Account, folder, dataDirectory), cancellationToken).ConfigureAwait(false);
                foreach (var (name, value) in settings)
                {
                    context.Options.Settings[name] = value;
                }

                origin = ClusterOrigin.BaseBackup;
            }
            else
            {
                origin = await PrepareEphemeralClusterAsync(context, dataDirectory, cancellationToken).ConfigureAwait(false);
            }

            var socketDirectory = Path.Combine(folder, "s");
            context.Account.CreateOwnedDirectory(socketDirectory);
            var port = await LaunchAsync(context, dataDirectory, socketDirectory, ephemeral: true, preferredPort: context.Options.Port, cancellationToken).ConfigureAwait(false);
            ClusterSecrets secrets;
            if (context.Seed is { } copied)
            {
                // A standby is a read-only copy: its roles and their passwords are the primary's, replicated.
                secrets = copied.Secrets;
                ClusterSecrets.Write(folder, secrets);
            }
            else
            {
                (secrets, _) = ClusterSecrets.ReadOrCreate(folder);
                await ClusterRoles.SecureAsync(socketDirectory, port, secrets, reloadAccessRules: false, cancellationToken).ConfigureAwait(false);
            }

            server = new PostgresServer(context, dataDirectory, port, socketDirectory, origin, stopsServer: true, ownerFolder: folder, ephemeralFolder: folder, secrets);
            await server.VerifyAsync(cancellationToken).ConfigureAwait(false);
            Log.Started(context.Logger, server.Version, port, server.OsUser, origin, dataDirectory);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await TryStopClusterAsync(context, dataDirectory).ConfigureAwait(false);
                DeleteFolder(folder);
            }

            throw;
        }
    }

    private static async Task<ClusterOrigin> PrepareEphemeralClusterAsync(StartContext context, string dataDirectory, CancellationToken cancellationToken)
    {
        if (!context.Options.UseClusterCache)
        {
            await ClusterFiles.InitAsync(context.Binaries, context.Account, dataDirectory, durable: false, cancellationToken).ConfigureAwait(false);
            return ClusterOrigin.Initialized;
        }

        var entry = ClusterCache.EntryFor(context.Options.CacheDirectory ?? ClusterCache.DefaultDirectory(), context.Binaries, context.Account);
        if (ClusterCache.Contains(entry))
        {
            await ClusterCache.CopyAsync(entry, dataDirectory, cancellationToken).ConfigureAwait(false);
            return ClusterOrigin.CopiedFromCache;
        }

        // Cache the cluster before its first start, while it is still pristine.
        await ClusterFiles.InitAsync(context.Binaries, context.Account, dataDirectory, durable: false, cancellationToken).ConfigureAwait(false);
        await ClusterCache.StoreAsync(dataDirectory, entry, cancellationToken).ConfigureAwait(false);
        return ClusterOrigin.Initialized;
    }

    private static async Task<PostgresServer> StartPersistentAsync(StartContext context, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(context.Options.DataDirectory!);
        if (!Directory.Exists(folder))
        {
            context.Account.CreateOwnedDirectory(folder);
        }

        context.LogFile = Path.Combine(folder, "server.log");
        var dataDirectory = Path.Combine(folder, "pgdata");

        // Processes opening the same folder take turns, so only one of them ever starts the server.
        using var folderLock = await FolderLock.AcquireAsync(Path.Combine(folder, "pgkit.lock"), cancellationToken).ConfigureAwait(false);

        var running = PostmasterPid.ReadRunning(dataDirectory);
        if (running is not null)
        {
            return await AttachAsync(context, folder, dataDirectory, running, cancellationToken).ConfigureAwait(false);
        }

        var major = ClusterFiles.ReadMajorVersion(dataDirectory);
        ClusterOrigin origin;
        if (major is null)
        {
            await ClusterFiles.InitAsync(context.Binaries, context.Account, dataDirectory, durable: true, cancellationToken).ConfigureAwait(false);
            origin = ClusterOrigin.Initialized;
        }
        else
        {
            EnsureSameMajor(context, dataDirectory, major.Value);
            origin = ClusterOrigin.Existing;
        }

        var socketDirectory = TempFolders.SocketFolderFor(dataDirectory);
        context.Account.CreateOwnedDirectory(socketDirectory);
        LogFile.RotateIfLarge(context.LogFile);
        PostmasterPid.RemoveIfLeftByZombie(dataDirectory);
        var preferred = context.Options.Port != 0 ? context.Options.Port : PreviousPort(dataDirectory);
        var port = await LaunchAsync(context, dataDirectory, socketDirectory, ephemeral: false, preferred, cancellationToken).ConfigureAwait(false);

        var stops = context.Options.StopOnDispose;
        OwnerRecord.ForCurrentProcess(detached: !stops).Write(folder);
        ClusterSecrets secrets;
        try
        {
            (secrets, _) = ClusterSecrets.ReadOrCreate(folder);
            await ClusterRoles.SecureAsync(socketDirectory, port, secrets, reloadAccessRules: false, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await TryStopClusterAsync(context, dataDirectory).ConfigureAwait(false);
            throw;
        }

        var server = new PostgresServer(context, dataDirectory, port, socketDirectory, origin, stops, folder, ephemeralFolder: null, secrets);
        try
        {
            await server.VerifyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        Log.Started(context.Logger, server.Version, port, server.OsUser, origin, dataDirectory);
        return server;
    }

    private static async Task<PostgresServer> AttachAsync(StartContext context, string folder, string dataDirectory, PostmasterPid running, CancellationToken cancellationToken)
    {
        EnsureSameMajor(context, dataDirectory, ClusterFiles.ReadMajorVersion(dataDirectory) ?? context.Binaries.MajorVersion);

        // A server started by an earlier version may still accept TCP connections without a password: secure it now.
        var rulesChanged = await ClusterFiles.WriteAccessRulesAsync(context.Account, dataDirectory, tls: null, cancellationToken).ConfigureAwait(false);
        var (secrets, _) = ClusterSecrets.ReadOrCreate(folder);
        await ClusterRoles.SecureAsync(running.SocketDirectory, running.Port, secrets, rulesChanged, cancellationToken).ConfigureAwait(false);

        var owner = OwnerRecord.Read(folder);
        PostgresServer server;
        if (owner is not null && owner.OwnerIsAlive())
        {
            // Another live process (or a detached `pgkit db start`) runs it: use it, never stop it.
            server = new PostgresServer(context, dataDirectory, running.Port, running.SocketDirectory, ClusterOrigin.Attached, stopsServer: false, folder, ephemeralFolder: null, secrets);
            Log.Attached(context.Logger, running.Port, dataDirectory);
        }
        else
        {
            // The process that started it is gone: take it over rather than leave an orphan or start a second one.
            var stops = context.Options.StopOnDispose;
            OwnerRecord.ForCurrentProcess(detached: !stops).Write(folder);
            server = new PostgresServer(context, dataDirectory, running.Port, running.SocketDirectory, ClusterOrigin.Existing, stops, folder, ephemeralFolder: null, secrets);
            Log.Adopted(context.Logger, dataDirectory, owner?.ProcessId ?? 0);
        }

        await server.VerifyAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    private static async Task<int> LaunchAsync(StartContext context, string dataDirectory, string socketDirectory, bool ephemeral, int preferredPort, CancellationToken cancellationToken)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var port = attempt == 1 && preferredPort > 0 && PortFinder.IsFree(preferredPort) ? preferredPort : PortFinder.FreePort();
            await ClusterFiles.WriteSettingsAsync(context.Account, dataDirectory, port, socketDirectory, ephemeral, context.Options.Settings, context.Options.ServerCertificate, cancellationToken).ConfigureAwait(false);

            var waitSeconds = Math.Max(1, (int)Math.Ceiling(context.Options.StartTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var result = await context.Account.RunAsync(
                context.Binaries.PgCtl,
                ["start", "-D", dataDirectory, "-l", context.LogFile!, "-w", "-t", waitSeconds, "-s"],
                cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return port;
            }

            var tail = LogFile.Tail(context.LogFile!, 30);
            if (attempt < attempts && PortInUseRegex().IsMatch(tail))
            {
                // Another program took the port between our check and the server's bind.
                Log.PortTaken(context.Logger, port);
                continue;
            }

            throw new PostgresServerException(
                $"PostgreSQL did not start (pg_ctl exit code {result.ExitCode}, running as '{context.Account.UserName}'){ClusterFiles.Hint(result.Output + tail)}: {result.Output.Trim()}{Environment.NewLine}Last lines of {context.LogFile}:{Environment.NewLine}{tail}");
        }
    }

    private static void EnsureSameMajor(StartContext context, string dataDirectory, int major)
    {
        if (major != context.Binaries.MajorVersion)
        {
            throw new PostgresServerException(
                $"The cluster in '{dataDirectory}' was made by PostgreSQL {major}, but the binaries in '{context.Binaries.Directory}' are version {context.Binaries.Version}. Point PGKIT_PG_BIN (or BinDirectory) at PostgreSQL {major}'s binaries, or use another data folder.");
        }
    }

    private static int PreviousPort(string dataDirectory)
    {
        try
        {
            var match = PortSettingRegex().Match(File.ReadAllText(Path.Combine(dataDirectory, "pgkit.conf")));
            return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static async Task TryStopClusterAsync(StartContext context, string dataDirectory)
    {
        if (context.Binaries is null || context.Account is null || PostmasterPid.ReadRunning(dataDirectory) is null)
        {
            return;
        }

        await context.Account.RunAsync(context.Binaries.PgCtl, ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-s"], CancellationToken.None).ConfigureAwait(false);
    }

    private static void DeleteFolder(string folder)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 2)
            {
                // A file still being closed by the server's last process; try again in a moment.
                Thread.Sleep(50);
            }
        }
    }

    // Unpooled: these statements must not leave an idle connection behind in the caller's pools.
    private Task VerifyAsync(CancellationToken cancellationToken) => ExecuteAsync("SELECT 1", cancellationToken);

    private Task ExecuteAsync(string sql, CancellationToken cancellationToken) =>
        ClusterRoles.ExecuteOnceAsync(ConnectionString, sql, cancellationToken);

    private async Task StopClusterAsync(CancellationToken cancellationToken)
    {
        var fast = await _account.RunAsync(Binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "-s"], cancellationToken).ConfigureAwait(false);
        if (!fast.Succeeded && PostmasterPid.ReadRunning(DataDirectory) is not null)
        {
            Log.FastStopFailed(_logger, Port);
            await _account.RunAsync(Binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "-s"], cancellationToken).ConfigureAwait(false);
        }
    }

    // The process is ending, and a test host may be killed a moment after its exit handlers start, so nothing here
    // waits: the postmaster is signalled directly, and a detached shell deletes an ephemeral folder once it is gone.
    private void StopOnProcessExit()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        try
        {
            var postmaster = PostmasterPid.ReadRunning(DataDirectory);
            if (_ephemeralFolder is null)
            {
                if (postmaster is not null)
                {
                    NativeMethods.SendSignal(postmaster.ProcessId, NativeMethods.FastShutdownSignal);
                }

                File.Delete(Path.Combine(_ownerFolder, OwnerRecord.FileName));
                return;
            }

            if (postmaster is null)
            {
                DeleteFolder(_ephemeralFolder);
                return;
            }

            NativeMethods.SendSignal(postmaster.ProcessId, NativeMethods.ImmediateShutdownSignal);
            var cleaner = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var argument in (string[])["-c", DeleteWhenGoneScript, "pgkit-cleanup", postmaster.ProcessId.ToString(CultureInfo.InvariantCulture), _ephemeralFolder])
            {
                cleaner.ArgumentList.Add(argument);
            }

            System.Diagnostics.Process.Start(cleaner)?.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // The next start's clean-up handles whatever is left.
        }
    }

    // $1: the postmaster's pid, $2: the folder. Waits up to 10 s for the server to exit, then deletes its folder.
    private const string DeleteWhenGoneScript =
        "exec </dev/null >/dev/null 2>&1; i=0; while kill -0 \"$1\" && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; rm -rf \"$2\"";

    [GeneratedRegex("could not bind|Address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex PortInUseRegex();

    [GeneratedRegex(@"^port = '(\d+)'", RegexOptions.Multiline)]
    private static partial Regex PortSettingRegex();

    /// <summary>What the start steps share; filled in as they learn it.</summary>
    private sealed class StartContext(PostgresServerOptions options, ILogger logger)
    {
        public PostgresServerOptions Options { get; } = options;

        public ILogger Logger { get; } = logger;

        public PostgresBinaries Binaries { get; set; } = null!;

        public ServerAccount Account { get; set; } = null!;

        public string? LogFile { get; set; }

        public ServerSeed? Seed { get; init; }
    }
}
