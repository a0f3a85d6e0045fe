using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using PgKit.Embedded.Internal;
using PgKit.Embedded.Tests.Support;

namespace PgKit.Embedded.Tests;

/// <summary>
/// The embedded server on a shared machine: another local user can neither log in nor read its secrets, the app role
/// cannot run programs, and the orphan clean-up trusts nothing it reads from disk.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecurityTests
{
    private const string Nobody = "nobody";

    [Fact]
    public async Task Tcp_WithoutOrWithAWrongPassword_IsRefused_EvenForAnotherLocalUser()
    {
        await using var server = await PostgresServer.StartAsync();
        var password = new NpgsqlConnectionStringBuilder(server.ConnectionString).Password;
        Assert.False(string.IsNullOrEmpty(password));

        var none = await PsqlAsync(server, password: null);
        var wrong = await PsqlAsync(server, password: "wrong");
        var right = await PsqlAsync(server, password);

        Assert.True(none.ExitCode != 0, "no password: " + none.Output);
        Assert.Contains("password", none.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(wrong.ExitCode != 0, "wrong password: " + wrong.Output);
        Assert.Contains("password authentication failed", wrong.Output, StringComparison.Ordinal);
        Assert.True(right.ExitCode == 0, "right password: " + right.Output);
    }

    [Fact]
    public async Task SecretsFile_AndSocketFolder_AreOwnerOnly()
    {
        await using var server = await PostgresServer.StartAsync();
        var secrets = Path.Combine(Path.GetDirectoryName(server.DataDirectory)!, ClusterSecrets.FileName);

        Assert.True(File.Exists(secrets));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secrets));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(server.SocketDirectory) & (UnixFileMode)0b000_111_111);
        Assert.Contains(new NpgsqlConnectionStringBuilder(server.ConnectionString).Password!, File.ReadAllText(secrets), StringComparison.Ordinal);

        if (TestFolders.IsRoot)
        {
            var read = await RunAsNobodyAsync("cat", [secrets]);
            var list = await RunAsNobodyAsync("ls", [server.SocketDirectory]);
            var socket = await RunAsNobodyAsync(Path.Combine(server.Binaries.Directory, "psql"), ["-w", "-h", server.SocketDirectory, "-p", server.Port.ToString(), "-U", "postgres", "-d", "postgres", "-c", "SELECT 1"]);
            Assert.True(read.ExitCode != 0, "nobody read the secrets: " + read.Output);
            Assert.True(list.ExitCode != 0, "nobody listed the socket folder: " + list.Output);
            Assert.True(socket.ExitCode != 0, "nobody connected through the socket: " + socket.Output);
        }
    }

    [Fact]
    public async Task AppRole_OwnsItsDatabase_AndCannotRunPrograms()
    {
        await using var server = await PostgresServer.StartAsync();
        var app = await server.EnsureAppDatabaseAsync("shop");

        Assert.Equal("app", new NpgsqlConnectionStringBuilder(app).Username);
        Assert.False(await Sql.ScalarAsync<bool>(app, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
        Assert.Equal("app", await Sql.ScalarAsync<string>(app, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"));
        await Sql.ExecuteAsync(app, "CREATE TABLE item (id int PRIMARY KEY)");

        var marker = Path.Combine(TestFolders.Root, "program-" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(app, $"COPY (SELECT 1) TO PROGRAM 'touch {marker}'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.False(File.Exists(marker));

        // The superuser connection is the administrative counterpart, and it is still one.
        Assert.True(await Sql.ScalarAsync<bool>(server.GetConnectionString("shop"), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
    }

    [Fact]
    public async Task PersistentCluster_MadeWithPasswordFreeTcp_IsSecuredInPlace_AndKeepsItsData()
    {
        var folder = TestFolders.NewFolderPath("legacy");
        try
        {
            // A cluster as an earlier version left it: trust for every TCP connection, no secrets, app data owned by
            // the superuser in the postgres database.
            await using (var first = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = folder }))
            {
                await Sql.ExecuteAsync(first.ConnectionString, "CREATE TABLE note (id serial PRIMARY KEY, body text); INSERT INTO note (body) VALUES ('kept'); ALTER ROLE postgres PASSWORD NULL");
            }

            var hba = Path.Combine(folder, "pgdata", "pg_hba.conf");
            await File.WriteAllTextAsync(hba, "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
            File.Delete(Path.Combine(folder, ClusterSecrets.FileName));

            await using var server = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = folder });
            var withoutPassword = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Password = null }.ConnectionString;
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ScalarAsync<int>(withoutPassword, "SELECT 1"));

            var app = await server.EnsureAppDatabaseAsync("postgres");
            Assert.Equal("kept", await Sql.ScalarAsync<string>(app, "SELECT body FROM note"));
            await Sql.ExecuteAsync(app, "INSERT INTO note (body) VALUES ('new'); ALTER TABLE note ADD COLUMN at timestamptz");
        }
        finally
        {
            await PostgresServer.StopPersistentAsync(folder);
            TestFolders.DeleteQuietly(folder);
        }
    }

    [Fact]
    public async Task AServerStartedByAnEarlierVersion_IsSecuredWhenAttachedTo()
    {
        var folder = TestFolders.NewFolderPath("legacy-running");
        try
        {
            await using var first = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = folder, StopOnDispose = false });
            var hba = Path.Combine(folder, "pgdata", "pg_hba.conf");
            await File.WriteAllTextAsync(hba, "local all all trust\nhost all all 127.0.0.1/32 trust\n");
            await Sql.ExecuteAsync(first.ConnectionString, "SELECT pg_reload_conf()");
            File.Delete(Path.Combine(folder, ClusterSecrets.FileName));
            var open = new NpgsqlConnectionStringBuilder(first.ConnectionString) { Password = null }.ConnectionString;
            Assert.Equal(1, await Sql.ScalarAsync<int>(open, "SELECT 1"));

            await using var attached = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = folder });

            Assert.Equal(ClusterOrigin.Attached, attached.Origin);
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ScalarAsync<int>(open, "SELECT 1"));
            Assert.Equal(1, await Sql.ScalarAsync<int>(attached.ConnectionString, "SELECT 1"));
        }
        finally
        {
            await PostgresServer.StopPersistentAsync(folder);
            TestFolders.DeleteQuietly(folder);
        }
    }

    [Fact]
    public async Task OrphanCleanUp_HostileOwnerRecords_RunNothing_AndDeleteNothingButItsOwnFolders()
    {
        var scratch = TestFolders.NewFolderPath("hostile");
        Directory.CreateDirectory(scratch);
        var marker = Path.Combine(scratch, "ran");
        var bin = Path.Combine(scratch, "bin");
        Directory.CreateDirectory(bin);
        await File.WriteAllTextAsync(Path.Combine(bin, "pg_ctl"), $"#!/bin/sh\ntouch '{marker}'\n");
        File.SetUnixFileMode(Path.Combine(bin, "pg_ctl"), (UnixFileMode)0b111_101_101);
        var victim = Path.Combine(scratch, "victim");
        Directory.CreateDirectory(victim);
        await File.WriteAllTextAsync(Path.Combine(victim, "precious"), "data");

        var root = TempFolders.Root;
        var ours = Plant(root, bin);
        var theirs = TestFolders.IsRoot ? Plant(root, bin) : null;
        if (theirs is not null)
        {
            Assert.Equal(0, (await RunAsync("chown", ["-R", Nobody, theirs])).ExitCode);
        }

        var link = Path.Combine(root, TempFolders.EphemeralPrefix + "link" + Guid.NewGuid().ToString("N")[..8]);
        File.CreateSymbolicLink(link, victim);

        // The root that every user could write to before this fix.
        var legacy = Path.Combine(Path.GetDirectoryName(root)!, "pgkit");
        var legacyPlant = Directory.Exists(legacy) ? Plant(legacy, bin) : null;
        try
        {
            await using var server = await PostgresServer.StartAsync();

            Assert.False(File.Exists(marker), "the clean-up ran a program named by an owner record");
            Assert.False(Directory.Exists(ours), "an orphaned folder of this user is cleaned up");
            Assert.True(File.Exists(Path.Combine(victim, "precious")), "a link's target was deleted");
            if (theirs is not null)
            {
                Assert.True(Directory.Exists(theirs), "another user's folder was deleted");
            }
        }
        finally
        {
            File.Delete(link);
            foreach (var folder in new[] { ours, theirs, legacyPlant })
            {
                if (folder is not null)
                {
                    TestFolders.DeleteQuietly(folder);
                }
            }

            TestFolders.DeleteQuietly(scratch);
        }
    }

    [Fact]
    public async Task TempRoot_NotOwnedByThisUserOrWritableByOthers_IsRefused()
    {
        var folder = TestFolders.NewFolderPath("root");
        Directory.CreateDirectory(folder);
        try
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
            var open = Assert.Throws<PostgresServerException>(() => TempFolders.EnsurePrivate(folder));
            Assert.Contains("not a private folder", open.Message, StringComparison.Ordinal);

            File.SetUnixFileMode(folder, (UnixFileMode)0b111_001_001);
            TempFolders.EnsurePrivate(folder);

            if (TestFolders.IsRoot)
            {
                Assert.Equal(0, (await RunAsync("chown", [Nobody, folder])).ExitCode);
                Assert.Throws<PostgresServerException>(() => TempFolders.EnsurePrivate(folder));
            }
        }
        finally
        {
            TestFolders.DeleteQuietly(folder);
        }
    }

    // An ephemeral folder whose owner is long dead, whose record names a program, and whose pid file names a live
    // process (this test's own, which the server account may not signal), so the clean-up believes a server runs there.
    private static string Plant(string root, string bin)
    {
        var folder = Path.Combine(root, TempFolders.EphemeralPrefix + "hostile" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(folder, "pgdata"));
        File.WriteAllText(Path.Combine(folder, OwnerRecord.FileName), JsonSerializer.Serialize(new { ProcessId = 999_999, ProcessStartTicks = 0L, BinDirectory = bin, Detached = false }));
        File.WriteAllText(Path.Combine(folder, "pgdata", "postmaster.pid"), $"{(TestFolders.IsRoot ? Environment.ProcessId : 999_998)}\n{folder}\n0\n5432\n/tmp\n");
        return folder;
    }

    private static Task<(int ExitCode, string Output)> PsqlAsync(PostgresServer server, string? password)
    {
        var psql = Path.Combine(server.Binaries.Directory, "psql");
        string[] arguments = ["-w", "-h", "127.0.0.1", "-p", server.Port.ToString(), "-U", "postgres", "-d", "postgres", "-c", "SELECT 1"];
        var environment = new Dictionary<string, string?> { ["PGPASSWORD"] = password };
        return TestFolders.IsRoot
            ? RunAsync("runuser", ["-u", Nobody, "--", psql, .. arguments], environment)
            : RunAsync(psql, arguments, environment);
    }

    private static Task<(int ExitCode, string Output)> RunAsNobodyAsync(string program, string[] arguments) =>
        RunAsync("runuser", ["-u", Nobody, "--", program, .. arguments]);

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, Dictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("PGPASSWORD");
        start.Environment["PGPASSFILE"] = "/nonexistent";
        foreach (var (name, value) in environment ?? [])
        {
            if (value is not null)
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }
}
