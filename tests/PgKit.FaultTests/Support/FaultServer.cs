using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgKit.Embedded;

namespace PgKit.FaultTests.Support;

/// <summary>
/// The PostgreSQL server of one fault case, started by the case through PgKit.Embedded on 127.0.0.1: ephemeral (fast,
/// <c>fsync</c> off), or persistent (durable settings, in a folder of its own) when the case stops, kills and restarts
/// it on the same port. The reference app's database is <see cref="Database"/>, owned by the <c>app</c> role.
/// </summary>
public sealed class FaultServer : IAsyncDisposable
{
    /// <summary>The app's database.</summary>
    public const string Database = "refapp";

    private readonly List<PostgresServer> _servers = [];
    private readonly string? _folder;
    private readonly Dictionary<string, string> _settings;

    private FaultServer(string? folder, Dictionary<string, string> settings)
    {
        _folder = folder;
        _settings = settings;
    }

    /// <summary>Gets the server running now (after a restart, the new one).</summary>
    public PostgresServer Current => _servers[^1];

    /// <summary>Gets the app role's connection string to <see cref="Database"/>: what the app connects with.</summary>
    public string AppConnectionString { get; private set; } = "";

    /// <summary>Gets an unpooled superuser connection string to <see cref="Database"/>, for the test's own checks (like psql).</summary>
    public string AdminConnectionString =>
        new NpgsqlConnectionStringBuilder(Current.GetConnectionString(Database)) { Pooling = false, Timeout = 5 }.ConnectionString;

    /// <summary>Starts an ephemeral server with extra settings (for example a low <c>max_connections</c>).</summary>
    /// <param name="settings">postgresql.conf settings, or null.</param>
    /// <returns>The server, with the app's database made.</returns>
    public static Task<FaultServer> EphemeralAsync(Dictionary<string, string>? settings = null) =>
        StartAsync(new FaultServer(null, settings ?? []));

    /// <summary>Starts a persistent server with PostgreSQL's durable defaults, in a fresh folder deleted on dispose.</summary>
    /// <returns>The server, with the app's database made.</returns>
    public static Task<FaultServer> PersistentAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "pgkit-faults");
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows())
        {
            // The server account (postgres, when the tests run as root) must be able to reach the folder.
            File.SetUnixFileMode(root, (UnixFileMode)0b1_111_111_111);
        }

        return StartAsync(new FaultServer(Path.Combine(root, Guid.NewGuid().ToString("N")[..12]), []));
    }

    private static async Task<FaultServer> StartAsync(FaultServer server)
    {
        await server.StartServerAsync(port: 0);
        server.AppConnectionString = await server.Current.EnsureAppDatabaseAsync(Database);
        return server;
    }

    private async Task StartServerAsync(int port)
    {
        var options = new PostgresServerOptions { DataDirectory = _folder, Port = port };
        foreach (var (name, value) in _settings)
        {
            options.Settings[name] = value;
        }

        _servers.Add(await PostgresServer.StartAsync(options));
    }

    /// <summary>Stops the server (fast shutdown: sessions are ended), as an operator would.</summary>
    /// <returns>A task that completes when the server is down.</returns>
    public Task StopAsync() => Current.StopAsync();

    /// <summary>
    /// Starts the persistent server again on the same folder and port, retrying for a few seconds while the old one's
    /// processes finish exiting (a new postmaster refuses to start while they still hold the old shared memory).
    /// </summary>
    /// <returns>A task that completes when the server accepts connections on the same port.</returns>
    public async Task RestartAsync()
    {
        var port = Current.Port;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 20;
        while (true)
        {
            try
            {
                await StartServerAsync(port);
                break;
            }
            catch (PostgresServerException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(200);
            }
        }

        Assert.Equal(port, Current.Port);
    }

    /// <summary>
    /// Kills the postmaster with SIGKILL, as <c>kill -9</c> does, and waits (at most 15 s) until its children, which
    /// notice their parent's death on their own, are gone too.
    /// </summary>
    /// <returns>The postmaster's process id.</returns>
    public async Task<int> KillPostmasterAsync()
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(Current.DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var children = ChildrenOf(pid);
        using (var postmaster = Process.GetProcessById(pid))
        {
            postmaster.Kill(); // SIGKILL on Unix
        }

        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 15;
        while (children.Append(pid).Any(IsAlive) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }

        return pid;
    }

    /// <summary>Runs one statement as the superuser on the app's database and returns its first value.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="sql">The statement.</param>
    /// <param name="args">Positional parameters ($1, $2...).</param>
    /// <returns>The value.</returns>
    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Counts the app role's backends, by state (null: all of them).</summary>
    /// <param name="states">The states to count, for example <c>active</c> and <c>idle in transaction</c>.</param>
    /// <returns>The count.</returns>
    public Task<long> CountAppBackendsAsync(params string[] states) => ScalarAsync<long>(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND (cardinality($1::text[]) = 0 OR state = ANY($1))", (object)states);

    /// <summary>Stops every server this case started (newest first) and deletes a persistent folder.</summary>
    /// <returns>A task that completes when all is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        for (var i = _servers.Count - 1; i >= 0; i--)
        {
            await _servers[i].DisposeAsync();
        }

        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static int[] ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (ReadStat(pid) is { } stat && stat.Parent == parent)
            {
                children.Add(pid);
            }
        }

        return [.. children];
    }

    // A zombie has exited; it only waits for a parent to reap it.
    private static bool IsAlive(int pid) => ReadStat(pid) is { State: not 'Z' and not 'X' };

    private static (char State, int Parent)? ReadStat(int pid)
    {
        try
        {
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
