using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;
using PgKit.Embedded;

namespace PgKit.AspNetCore.Tests;

/// <summary>A primary and one standby that applies each commit 300 ms late, as a lagging replica does.</summary>
public sealed class LaggingReplicaFixture : IAsyncLifetime
{
    public static readonly TimeSpan ApplyDelay = TimeSpan.FromMilliseconds(300);

    public PostgresCluster Cluster { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 1, ApplyDelays = { ApplyDelay } });
        var connectionString = await Cluster.EnsureAppDatabaseAsync("shop");
        await using (var connection = new NpgsqlConnection(Cluster.Primary.GetAppConnectionString("shop")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)", connection);
            await command.ExecuteNonQueryAsync();
        }

        await Cluster.WaitForReplayAsync();
        ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 40 }.ConnectionString;
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class ReadReplicaTests(LaggingReplicaFixture replica, ITestOutputHelper output) : IClassFixture<LaggingReplicaFixture>
{
    private const string WalHeader = "PgKit-Wal-Position";
    private static int _nextId;

    [Fact]
    public async Task WriteThenRead_WithReadYourWrites_SeesTheWriteEveryTime_MostlyFromTheStandby()
    {
        await using var app = await StartAppAsync(readYourWrites: true);
        var client = app.GetTestClient();
        var (seen, fromStandby) = await WriteThenReadAsync(client, tries: 1000, parallel: 40);

        output.WriteLine($"read-your-writes on: {seen}/1000 reads saw the write; {fromStandby} of them ({fromStandby / 10.0:0.#}%) served by the standby (apply delay {LaggingReplicaFixture.ApplyDelay.TotalMilliseconds} ms)");
        Assert.Equal(1000, seen);
        Assert.True(fromStandby > 500, $"only {fromStandby} of 1000 reads after a write were served by the standby");
    }

    [Fact]
    public async Task WriteThenRead_WithoutReadYourWrites_SeesStaleReads()
    {
        await using var app = await StartAppAsync(readYourWrites: false);
        var client = app.GetTestClient();
        var (seen, fromStandby) = await WriteThenReadAsync(client, tries: 100, parallel: 20);

        output.WriteLine($"read-your-writes off: {seen}/100 reads saw the write, {fromStandby} served by the standby");
        Assert.Equal(100, fromStandby);
        Assert.True(seen < 100, "every read saw its write although the standby applies commits late: the test proves nothing");
    }

    [Fact]
    public async Task Reads_WithoutAPriorWrite_GoToTheStandby_AndAForgedPositionGoesToThePrimary()
    {
        await using var app = await StartAppAsync(readYourWrites: true);
        var client = app.GetTestClient();

        Assert.Equal("false,true", await client.GetStringAsync("/notes/-1"));

        // A forged (or tampered) position is not waited for: the read goes straight to the primary.
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/notes/-1");
        forged.Headers.Add(WalHeader, "FFFFFFFF/FFFFFFFF");
        var response = await client.SendAsync(forged);
        Assert.Equal("false,false", await response.Content.ReadAsStringAsync());

        // The cookie carries the position as well as the header, for browsers.
        var write = await client.PostAsync($"/notes/{Interlocked.Increment(ref _nextId)}", null);
        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        var cookie = Assert.Single(write.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(WalHeader + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, $"/notes/{_nextId}");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.StartsWith("true,", await (await client.SendAsync(withCookie)).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Atomic runs on the primary even on an endpoint marked to read from a standby; a read-only one issues no position.
        var atomicRead = await client.GetAsync("/atomic-standby");
        Assert.Equal("false", await atomicRead.Content.ReadAsStringAsync());
        Assert.False(atomicRead.Headers.Contains(WalHeader));

        // An endpoint that is not marked reads from the primary.
        Assert.Equal("false", await client.GetStringAsync("/unmarked"));
    }

    private async Task<(int Seen, int FromStandby)> WriteThenReadAsync(HttpClient client, int tries, int parallel)
    {
        var seen = 0;
        var fromStandby = 0;
        var remaining = tries;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var id = Interlocked.Increment(ref _nextId);
                var write = await client.PostAsync($"/notes/{id}", null);
                Assert.Equal(HttpStatusCode.Created, write.StatusCode);
                using var read = new HttpRequestMessage(HttpMethod.Get, $"/notes/{id}");
                if (write.Headers.TryGetValues(WalHeader, out var position))
                {
                    read.Headers.Add(WalHeader, position);
                }

                var answer = await (await client.SendAsync(read)).Content.ReadAsStringAsync();
                if (answer.StartsWith("true,", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref seen);
                }

                if (answer.EndsWith(",true", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref fromStandby);
                }
            }
        }));
        return (seen, fromStandby);
    }

    private Task<WebApplication> StartAppAsync(bool readYourWrites) =>
        TestApp.StartAsync(replica.ConnectionString, MapEndpoints, postgres: pg => pg.Configure(o => o.ReadYourWrites = readYourWrites));

    internal static void MapEndpoints(WebApplication app)
    {
        app.MapPost("/notes/{id:int}", async (int id, Atomic atomic, CancellationToken ct) =>
        {
            await atomic.RunAsync("INSERT INTO notes (id, body) VALUES ($1, 'written')", ct, id);
            return Results.Created();
        });
        app.MapGet("/notes/{id:int}", async (int id, Db db, CancellationToken ct) =>
            await db.ValueAsync<string>("SELECT EXISTS (SELECT FROM notes WHERE id = $1)::text || ',' || pg_is_in_recovery()::text", ct, id))
            .ReadFromStandby();
        app.MapGet("/atomic-standby", async (Atomic atomic, CancellationToken ct) =>
            (await atomic.ValueAsync<bool>("SELECT pg_is_in_recovery()", ct)).ToString().ToLowerInvariant())
            .ReadFromStandby().WithAtomic(o => o.ReadOnly = true);
        app.MapGet("/unmarked", async (Db db, CancellationToken ct) =>
            (await db.ValueAsync<bool>("SELECT pg_is_in_recovery()", ct)).ToString().ToLowerInvariant());
    }
}
