using Npgsql;
using PgKit.Embedded.Internal;
using PgKit.Embedded.Tests.Support;

namespace PgKit.Embedded.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterTests
{
    [Fact]
    public async Task StartAsync_PrimaryAndTwoStandbys_StreamThroughSlots_AndADelayedStandbyAppliesLate()
    {
        var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 2, ApplyDelays = { TimeSpan.Zero, TimeSpan.FromSeconds(2) } });
        var folders = cluster.Members.Select(m => Path.GetDirectoryName(m.LogFilePath)!).ToList();
        try
        {
            var (primary, prompt, delayed) = (cluster.Primary, cluster.Standbys[0], cluster.Standbys[1]);
            Assert.Equal(["pg0", "pg1", "pg2"], cluster.Members.Select(m => m.Name));
            Assert.False(await Sql.ScalarAsync<bool>(primary.ConnectionString, "SELECT pg_is_in_recovery()"));
            Assert.True(await Sql.ScalarAsync<bool>(prompt.ConnectionString, "SELECT pg_is_in_recovery()"));
            Assert.Equal(2L, await Sql.ScalarAsync<long>(primary.ConnectionString, "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name IN ('pg1', 'pg2')"));
            Assert.Equal("2s", await Sql.ScalarAsync<string>(delayed.ConnectionString, "SHOW recovery_min_apply_delay"));

            // The standby streams as the replication role, over TCP with a password kept owner-only.
            Assert.Equal("replicator", await Sql.ScalarAsync<string>(primary.ConnectionString, "SELECT usename FROM pg_stat_replication LIMIT 1"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folders[0], ClusterSecrets.FileName)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folders[1], "replication.pgpass")));
            Assert.NotNull(ClusterSecrets.Read(folders[0])!.ReplicationPassword);
            var wrongPassword = new NpgsqlConnectionStringBuilder(primary.ConnectionString) { Username = "replicator", Password = "wrong", Database = "postgres" }.ConnectionString;
            await Assert.ThrowsAsync<PostgresException>(() => Sql.ScalarAsync<int>(wrongPassword, "SELECT 1"));

            var app = await cluster.EnsureAppDatabaseAsync("shop");
            Assert.Equal(3, new NpgsqlConnectionStringBuilder(app).Host!.Split(',').Length);
            await Sql.ExecuteAsync(primary.GetAppConnectionString("shop"), "CREATE TABLE note (id int); INSERT INTO note VALUES (1)");
            var written = await primary.GetWalPositionAsync();
            await Task.Delay(150); // well within the 2 s apply delay, even on a busy machine
            Assert.Equal(0L, await Sql.ScalarAsync<long>(delayed.GetAppConnectionString("shop"), "SELECT count(*) FROM pg_class WHERE relname = 'note'"));
            Assert.True(await delayed.GetWalPositionAsync() < written);

            await cluster.WaitForReplayAsync();
            Assert.True(await delayed.GetWalPositionAsync() >= written);
            Assert.Equal(1L, await Sql.ScalarAsync<long>(delayed.GetAppConnectionString("shop"), "SELECT count(*) FROM note"));
            Assert.Equal(1L, await Sql.ScalarAsync<long>(prompt.GetAppConnectionString("shop"), "SELECT count(*) FROM note"));
            var readOnly = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(prompt.GetAppConnectionString("shop"), "INSERT INTO note VALUES (2)"));
            Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, readOnly.SqlState);

            // A standby stopped and started again resumes from its slot.
            await prompt.StopAsync();
            Assert.False(prompt.IsRunning);
            await Sql.ExecuteAsync(primary.GetAppConnectionString("shop"), "INSERT INTO note VALUES (3)");
            await prompt.StartAsync();
            await cluster.WaitForReplayAsync();
            Assert.Equal(2L, await Sql.ScalarAsync<long>(prompt.GetAppConnectionString("shop"), "SELECT count(*) FROM note"));
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        Assert.All(folders, folder => Assert.False(Directory.Exists(folder)));
    }

    [Fact]
    public async Task PromoteAsync_AfterThePrimaryDies_WithAQuorumOfOne_KeepsEveryAcknowledgedWrite_AndDropsSynchronousNames()
    {
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 2, SynchronousReplication = true });
        var (old, first, second) = (cluster.Primary, cluster.Standbys[0], cluster.Standbys[1]);
        Assert.Equal("ANY 1 (pg1, pg2)", await Sql.ScalarAsync<string>(old.ConnectionString, "SHOW synchronous_standby_names"));
        Assert.Equal("on", await Sql.ScalarAsync<string>(old.ConnectionString, "SHOW synchronous_commit"));
        await Sql.ExecuteAsync(old.ConnectionString, "CREATE TABLE acked (id int)");

        // One standby of two down: the quorum still acknowledges commits.
        await second.StopAsync();
        for (var i = 0; i < 20; i++)
        {
            await Sql.ExecuteAsync(old.ConnectionString, $"INSERT INTO acked VALUES ({i})");
        }

        await old.StopAsync(immediate: true);
        await cluster.PromoteAsync(first);

        Assert.Same(first, cluster.Primary);
        Assert.False(old.IsPrimary);
        Assert.DoesNotContain(old, cluster.Standbys);
        Assert.DoesNotContain(first, cluster.Standbys);
        Assert.False(await Sql.ScalarAsync<bool>(first.ConnectionString, "SELECT pg_is_in_recovery()"));
        Assert.Equal(string.Empty, await Sql.ScalarAsync<string>(first.ConnectionString, "SHOW synchronous_standby_names"));
        Assert.Equal(20L, await Sql.ScalarAsync<long>(first.ConnectionString, "SELECT count(*) FROM acked"));

        // Commits on the new primary do not wait for a standby (none follows it).
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new NpgsqlConnection(first.ConnectionString);
        await connection.OpenAsync(bounded.Token);
        await using var insert = new NpgsqlCommand("INSERT INTO acked VALUES (100)", connection);
        await insert.ExecuteNonQueryAsync(bounded.Token);
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.PromoteAsync(old));
    }

    [Fact]
    public async Task AClusterAndItsPgBouncer_WhoseOwnerWasKilled_AreStoppedAndDeletedByTheNextStart()
    {
        var report = Path.Combine(TestFolders.Root, "child-" + Guid.NewGuid().ToString("N") + ".json");
        ChildClusterInfo info;
        using (var child = ChildProcess.Start("hold-cluster", report))
        {
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(90);
                while (!File.Exists(report))
                {
                    Assert.False(child.HasExited, "child exited early: " + (child.HasExited ? await child.StandardError.ReadToEndAsync() : ""));
                    Assert.True(DateTime.UtcNow < deadline, "child did not report its cluster in time");
                    await Task.Delay(50);
                }

                info = System.Text.Json.JsonSerializer.Deserialize<ChildClusterInfo>(await File.ReadAllTextAsync(report))!;
            }
            finally
            {
                child.Kill(entireProcessTree: false);
                await child.WaitForExitAsync();
                File.Delete(report);
            }
        }

        var processes = info.ProcessIds.Where(pid => pid > 0).ToList();
        Assert.Equal(PgBouncer.IsInstalled ? 3 : 2, processes.Count);
        Assert.All(processes, pid => Assert.True(TestFolders.ProcessAlive(pid), "SIGKILL of the owner leaves its servers running"));

        await using var next = await PostgresServer.StartAsync();

        Assert.All(processes, pid => Assert.True(TestFolders.ProcessGone(pid), $"process {pid} outlived the clean-up"));
        Assert.All(info.Folders, folder => Assert.False(Directory.Exists(folder)));
    }

    [Fact]
    public async Task PromoteMostAdvancedStandbyAsync_WithAQuorumOfOne_PromotesTheStandbyHoldingTheAcknowledgedWrites_NotTheFirst()
    {
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 2, SynchronousReplication = true });
        var (old, first, second) = (cluster.Primary, cluster.Standbys[0], cluster.Standbys[1]);
        await Sql.ExecuteAsync(old.ConnectionString, "CREATE TABLE acked (id int)");
        await cluster.WaitForReplayAsync();

        // pg1 misses these commits: the quorum acknowledges them through pg2 alone.
        await first.StopAsync();
        for (var i = 0; i < 20; i++)
        {
            await Sql.ExecuteAsync(old.ConnectionString, $"INSERT INTO acked VALUES ({i})");
        }

        await old.StopAsync(immediate: true);
        await first.StartAsync(); // back, but its primary is gone: it cannot catch up

        var promoted = await cluster.PromoteMostAdvancedStandbyAsync();

        Assert.Same(second, promoted);
        Assert.Same(second, cluster.Primary);
        Assert.Equal(20L, await Sql.ScalarAsync<long>(second.ConnectionString, "SELECT count(*) FROM acked"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(first.ConnectionString, "SELECT count(*) FROM acked")); // promoting pg1 would have lost them all
    }

    [Fact]
    public async Task PgBouncer_RepointedAfterAPromotion_SendsTheNextTransactionToTheNewPrimary()
    {
        Assert.SkipUnless(PgBouncer.IsInstalled, "pgbouncer is not installed (apt-get install pgbouncer)");
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 1 });
        var (old, standby) = (cluster.Primary, cluster.Standbys[0]);
        await cluster.EnsureAppDatabaseAsync("shop");
        await using var bouncer = await old.StartPgBouncerAsync();
        Assert.Equal(old.Port, bouncer.TargetPort);
        var through = new NpgsqlConnectionStringBuilder(bouncer.GetAppConnectionString("shop")) { Pooling = false, Timeout = 5, CommandTimeout = 5 }.ConnectionString;
        await Sql.ExecuteAsync(through, "CREATE TABLE note (id int); INSERT INTO note VALUES (1)");
        Assert.Equal(old.Port, await Sql.ScalarAsync<int>(through, "SELECT inet_server_port()"));
        await cluster.WaitForReplayAsync();

        await old.StopAsync(immediate: true);
        await cluster.PromoteAsync(standby);

        // Still pointed at the dead primary: no transaction gets through.
        await Assert.ThrowsAnyAsync<Exception>(() => Sql.ExecuteAsync(through, "INSERT INTO note VALUES (2)"));

        await bouncer.RepointAsync(standby);

        Assert.Equal(standby.Port, bouncer.TargetPort);
        await Sql.ExecuteAsync(through, "INSERT INTO note VALUES (3)");
        Assert.Equal(standby.Port, await Sql.ScalarAsync<int>(through, "SELECT inet_server_port()"));
        Assert.False(await Sql.ScalarAsync<bool>(through, "SELECT pg_is_in_recovery()"));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(through, "SELECT count(*) FROM note"));
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ListsEveryProblem()
    {
        var options = new PostgresClusterOptions { Standbys = 0, Server = { DataDirectory = "/tmp/x", Port = 5 } };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => PostgresCluster.StartAsync(options));
        Assert.Contains("DataDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains("Port", error.Message, StringComparison.Ordinal);
        Assert.Contains("Standbys", error.Message, StringComparison.Ordinal);
    }
}
