using Npgsql;
using PgKit.Embedded.Tests.Support;

namespace PgKit.Embedded.Tests;

public sealed class EphemeralServerTests
{
    [Fact]
    public async Task StartAsync_Ephemeral_AnswersQueriesAndDeletesEverythingOnDispose()
    {
        var server = await PostgresServer.StartAsync();
        var dataDirectory = server.DataDirectory;
        var postmaster = ChildProcess.ReadPostmasterPid(dataDirectory);

        Assert.True(server.IsEphemeral);
        Assert.Equal(42, await Sql.ScalarAsync<int>(server.ConnectionString, "SELECT 41 + 1"));
        Assert.Equal("127.0.0.1", await Sql.ScalarAsync<string>(server.ConnectionString, "SELECT host(inet_server_addr())"));
        Assert.Equal("off", await Sql.ScalarAsync<string>(server.ConnectionString, "SHOW fsync"));
        Assert.Equal("off", await Sql.ScalarAsync<string>(server.ConnectionString, "SHOW synchronous_commit"));
        Assert.Equal("off", await Sql.ScalarAsync<string>(server.ConnectionString, "SHOW full_page_writes"));
        Assert.Equal("127.0.0.1", await Sql.ScalarAsync<string>(server.ConnectionString, "SHOW listen_addresses"));

        await server.DisposeAsync();

        Assert.False(Directory.Exists(dataDirectory));
        Assert.True(TestFolders.ProcessGone(postmaster));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ScalarAsync<int>(server.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task StartAsync_TwoServersAtOnce_UseDifferentPortsAndSeparateData()
    {
        var starts = await Task.WhenAll(PostgresServer.StartAsync(), PostgresServer.StartAsync());
        await using var first = starts[0];
        await using var second = starts[1];

        Assert.NotEqual(first.Port, second.Port);
        Assert.NotEqual(first.DataDirectory, second.DataDirectory);

        await Sql.ExecuteAsync(first.ConnectionString, "CREATE TABLE only_in_first (id int)");
        Assert.Equal(1L, await Sql.ScalarAsync<long>(first.ConnectionString, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(second.ConnectionString, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'"));
    }

    [Fact]
    public async Task StartAsync_SecondStartWithSameCache_CopiesThePristineCluster()
    {
        var cache = TestFolders.NewFolderPath("cache");
        try
        {
            var options = new PostgresServerOptions { CacheDirectory = cache };
            await using (var first = await PostgresServer.StartAsync(options))
            {
                Assert.Equal(ClusterOrigin.Initialized, first.Origin);
                await Sql.ExecuteAsync(first.ConnectionString, "CREATE TABLE written_after_caching (id int)");
            }

            await using var second = await PostgresServer.StartAsync(options);

            Assert.Equal(ClusterOrigin.CopiedFromCache, second.Origin);
            Assert.Equal(42, await Sql.ScalarAsync<int>(second.ConnectionString, "SELECT 42"));

            // The cache holds the cluster as initdb left it, never what a server wrote later.
            Assert.Equal(0L, await Sql.ScalarAsync<long>(second.ConnectionString, "SELECT count(*) FROM pg_tables WHERE tablename = 'written_after_caching'"));
        }
        finally
        {
            TestFolders.DeleteQuietly(cache);
        }
    }

    [Fact]
    public async Task StartAsync_WithoutCache_RunsInitdb()
    {
        await using var server = await PostgresServer.StartAsync(new PostgresServerOptions { UseClusterCache = false });

        Assert.Equal(ClusterOrigin.Initialized, server.Origin);
        Assert.Equal(1, await Sql.ScalarAsync<int>(server.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task CreateDatabaseAsync_FromTemplate_CopiesTheTemplateAndDropRemovesIt()
    {
        await using var server = await PostgresServer.StartAsync();
        var template = await server.CreateDatabaseAsync("tmpl \"quoted\" name");
        await Sql.ExecuteAsync(template, "CREATE TABLE seeded (id int); INSERT INTO seeded VALUES (7)");

        var copy = await server.CreateDatabaseAsync("copy-of-template", template: "tmpl \"quoted\" name");
        Assert.Equal(7, await Sql.ScalarAsync<int>(copy, "SELECT id FROM seeded"));

        await server.DropDatabaseAsync("copy-of-template");
        Assert.Equal(0L, await Sql.ScalarAsync<long>(server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname = 'copy-of-template'"));
        await Assert.ThrowsAsync<ArgumentException>(() => server.CreateDatabaseAsync(new string('x', 64)));
    }

    [Fact]
    public async Task StartAsync_ExtraSettings_AreApplied()
    {
        var options = new PostgresServerOptions();
        options.Settings["work_mem"] = "7MB";
        options.Settings["application_name"] = "it's quoted";
        await using var server = await PostgresServer.StartAsync(options);

        Assert.Equal("7MB", await Sql.ScalarAsync<string>(server.ConnectionString, "SHOW work_mem"));
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ListsEveryProblem()
    {
        var options = new PostgresServerOptions { Port = -1, StartTimeout = TimeSpan.Zero };
        options.Settings["bad name;"] = "x";

        var error = await Assert.ThrowsAsync<ArgumentException>(() => PostgresServer.StartAsync(options));

        Assert.Contains("Port", error.Message, StringComparison.Ordinal);
        Assert.Contains("StartTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad name;", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BrokenSetting_FailsWithTheServerLogTail()
    {
        var options = new PostgresServerOptions();
        options.Settings["shared_buffers"] = "not-a-size";

        var error = await Assert.ThrowsAsync<PostgresServerException>(() => PostgresServer.StartAsync(options));

        Assert.Contains("shared_buffers", error.Message, StringComparison.Ordinal);
        Assert.Contains("Last lines of", error.Message, StringComparison.Ordinal);
    }
}
