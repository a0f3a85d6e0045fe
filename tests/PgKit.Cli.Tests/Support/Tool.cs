using System.Diagnostics;
using Npgsql;
using PgKit.Testing;

namespace PgKit.Cli.Tests.Support;

/// <summary>Runs pgkit in-process (CliApp) or as a separate process (dotnet PgKit.Cli.dll), and makes scratch folders and databases.</summary>
internal static class Tool
{
    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "PgKit.Cli.dll");

    /// <summary>Runs the command tree in-process in <paramref name="folder"/> with only the given environment variables.</summary>
    public static async Task<CliResult> RunAsync(string folder, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(folder, name => environment is not null && environment.TryGetValue(name, out var v) ? v : null, output, error);
        var code = await CliApp.RunAsync(args, context, CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(string folder, params string[] args) => RunAsync(folder, null, args);

    /// <summary>Runs the built tool as a child process.</summary>
    public static async Task<CliResult> RunProcessAsync(string folder, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        startInfo.ArgumentList.Add(ToolPath);
        foreach (var a in args)
        {
            startInfo.ArgumentList.Add(a);
        }

        // A clean slate: none of the resolution variables leak in from the test run.
        startInfo.Environment.Remove("PGKIT_CONNECTION");
        startInfo.Environment.Remove("DATABASE_URL");
        startInfo.Environment.Remove("ConnectionStrings__Postgres");
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A folder under /tmp with mode 0755, reachable by the postgres account the embedded server runs as under root.</summary>
    public static string NewFolder()
    {
        var path = Path.Combine("/tmp", "pgkit-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return path;
    }

    public static void WriteMigration(string folder, string fileName, string text)
    {
        var dir = Path.Combine(folder, "migrations");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, fileName), text);
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>A database of the shared test server for one test.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly TestPostgres _server;

    private ScratchDatabase(TestPostgres server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public string Url
    {
        get
        {
            var b = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"postgres://{b.Username}:{Uri.EscapeDataString(b.Password ?? string.Empty)}@{b.Host}:{b.Port}/{Name}";
        }
    }

    public static async Task<ScratchDatabase> CreateAsync()
    {
        var server = await TestPostgres.SharedAsync();
        var name = "pgkit_cli_" + Guid.NewGuid().ToString("N")[..16];
        return new ScratchDatabase(server, name, await server.CreateDatabaseAsync(name));
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public Task<bool> TableExistsAsync(string table) => ScalarAsync<bool>($"SELECT to_regclass('{table}') IS NOT NULL");

    public async ValueTask DisposeAsync() => await _server.DropDatabaseAsync(Name);
}
