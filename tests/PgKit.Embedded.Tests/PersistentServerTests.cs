using PgKit.Embedded.Tests.Support;

namespace PgKit.Embedded.Tests;

public sealed class PersistentServerTests : IDisposable
{
    private readonly string _folder = TestFolders.NewFolderPath("persistent");

    public void Dispose() => TestFolders.DeleteQuietly(_folder);

    [Fact]
    public async Task StartAsync_Persistent_KeepsDataAcrossStopAndStart()
    {
        var options = new PostgresServerOptions { DataDirectory = _folder };
        await using (var first = await PostgresServer.StartAsync(options))
        {
            Assert.False(first.IsEphemeral);
            Assert.Equal(ClusterOrigin.Initialized, first.Origin);
            Assert.Equal("on", await Sql.ScalarAsync<string>(first.ConnectionString, "SHOW fsync"));
            await Sql.ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
        }

        Assert.Null(ReadPostmasterPidOrNull());

        await using var second = await PostgresServer.StartAsync(options);
        Assert.Equal(ClusterOrigin.Existing, second.Origin);
        Assert.Equal("still here", await Sql.ScalarAsync<string>(second.ConnectionString, "SELECT note FROM kept"));
    }

    [Fact]
    public async Task StartAsync_SecondOpenerOfARunningFolder_AttachesInsteadOfStartingAnother()
    {
        var options = new PostgresServerOptions { DataDirectory = _folder };

        // Both open the folder at the same moment: exactly one starts the server, the other attaches.
        var servers = await Task.WhenAll(PostgresServer.StartAsync(options), PostgresServer.StartAsync(options));
        var owner = servers.Single(s => s.Origin != ClusterOrigin.Attached);
        var attached = servers.Single(s => s.Origin == ClusterOrigin.Attached);

        Assert.Equal(owner.Port, attached.Port);
        await Sql.ExecuteAsync(owner.ConnectionString, "CREATE TABLE shared_table (id int); INSERT INTO shared_table VALUES (1)");
        Assert.Equal(1, await Sql.ScalarAsync<int>(attached.ConnectionString, "SELECT id FROM shared_table"));

        // The attached instance never stops the server it does not own.
        var postmaster = ReadPostmasterPidOrNull()!.Value;
        await attached.DisposeAsync();
        Assert.True(TestFolders.ProcessAlive(postmaster));
        Assert.Equal(1, await Sql.ScalarAsync<int>(owner.ConnectionString, "SELECT id FROM shared_table"));

        await owner.DisposeAsync();
        Assert.True(TestFolders.ProcessGone(postmaster));
    }

    [Fact]
    public async Task StartAsync_StopOnDisposeOff_LeavesTheServerForTheNextProcess()
    {
        var detached = new PostgresServerOptions { DataDirectory = _folder, StopOnDispose = false };
        int port;
        await using (var first = await PostgresServer.StartAsync(detached))
        {
            port = first.Port;
        }

        var postmaster = ReadPostmasterPidOrNull();
        Assert.NotNull(postmaster);

        await using var second = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = _folder });
        Assert.Equal(ClusterOrigin.Attached, second.Origin);
        Assert.Equal(port, second.Port);

        // Clean up: take the server over and stop it.
        await using var adopter = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = _folder });
        File.Delete(Path.Combine(_folder, "owner.json"));
        await using var owner = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = _folder });
        Assert.Equal(ClusterOrigin.Existing, owner.Origin);
        await owner.StopAsync();
        Assert.True(TestFolders.ProcessGone(postmaster!.Value));
    }

    [Fact]
    public async Task StartAsync_PersistentFolderOfADeadOwner_IsAdoptedNotStartedTwice()
    {
        var info = await OrphanTests.StartChildAndKillItAsync(persistentFolder: _folder);
        Assert.True(TestFolders.ProcessAlive(info.PostmasterPid), "the server outlives its killed owner until someone adopts it");

        await using (var adopter = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = _folder }))
        {
            Assert.Equal(ClusterOrigin.Existing, adopter.Origin);
            Assert.Equal(info.Port, adopter.Port);
            Assert.Equal(info.PostmasterPid, ReadPostmasterPidOrNull());
        }

        Assert.True(TestFolders.ProcessGone(info.PostmasterPid));
    }

    private int? ReadPostmasterPidOrNull()
    {
        var pidFile = Path.Combine(_folder, "pgdata", "postmaster.pid");
        return File.Exists(pidFile) ? ChildProcess.ReadPostmasterPid(Path.Combine(_folder, "pgdata")) : null;
    }
}
