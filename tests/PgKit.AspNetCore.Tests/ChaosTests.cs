using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class ChaosFixture : DatabaseFixture
{
    protected override string Schema => """
        CREATE TABLE items (id serial PRIMARY KEY, title text NOT NULL UNIQUE);
        INSERT INTO items (title) VALUES ('taken');
        """;
}

public sealed class ChaosTests(ChaosFixture db, ITestOutputHelper output) : IClassFixture<ChaosFixture>
{
    private const int PoolSize = 8;
    private const int Requests = 2000;

    [Fact]
    public async Task ThousandsOfRequestsWithInjectedFaults_LeakNoConnection_AndCommitExactlyTheSuccesses()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = PoolSize }.ConnectionString;
        await using var app = await TestApp.StartAsync(connectionString, app =>
        {
            app.MapGet("/read", async (Db plain, CancellationToken ct) => await plain.ValueAsync<int>("SELECT 1", ct));
            app.MapPost("/insert/{title}", async (string title, Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO items (title) VALUES ($1)", ct, title);
                return Results.Created();
            });
            app.MapPost("/insert-throw/{title}", async (string title, Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO items (title) VALUES ($1)", ct, title);
                throw new InvalidOperationException("injected");
            });
            app.MapPost("/insert-400/{title}", async (string title, Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO items (title) VALUES ($1)", ct, title);
                return Results.BadRequest();
            });
            app.MapPost("/duplicate", async (Atomic atomic, CancellationToken ct) =>
                await atomic.RunAsync("INSERT INTO items (title) VALUES ('taken')", ct));
            app.MapPost("/savepoint/{title}", async (string title, Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO items (title) VALUES ($1)", ct, title);
                await using (var savepoint = await atomic.BeginAsync(ct))
                {
                    try
                    {
                        await atomic.RunAsync("INSERT INTO items (title) VALUES ('taken')", ct);
                    }
                    catch (PostgresException)
                    {
                        // disposing the savepoint rolls back to it
                    }
                }

                return Results.Created();
            });
            app.MapGet("/slow", async (Db plain, CancellationToken ct) => await plain.RunAsync("SELECT pg_sleep(0.02)", ct));
            app.MapPost("/slow-insert/{title}", async (string title, Atomic atomic, CancellationToken ct) =>
            {
                await atomic.RunAsync("INSERT INTO items (title) VALUES ($1)", ct, title);
                await atomic.RunAsync("SELECT pg_sleep(0.02)", ct);
                return Results.Created();
            });
            app.MapGet("/db-throw", async (Db plain, CancellationToken ct) =>
            {
                await plain.ValueAsync<int>("SELECT 1", ct);
                throw new InvalidOperationException("injected");
            });
        }, pg => pg.Configure(o => o.AcquireTimeout = TimeSpan.FromSeconds(10)));
        var client = app.GetTestClient();
        var random = new Random(20240611);
        var plan = Enumerable.Range(0, Requests).Select(i => (Index: i, Kind: random.Next(9), AbortAfter: random.Next(1, 30))).ToArray();
        var statuses = new ConcurrentDictionary<string, int>();
        var committed = new ConcurrentBag<string>();
        var slowInsertAttempts = new ConcurrentBag<string>();
        var slowInsertCreated = new ConcurrentBag<string>();

        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (step, _) =>
        {
            var title = $"chaos-{step.Index}";
            (HttpMethod method, string path, bool abort) = step.Kind switch
            {
                0 => (HttpMethod.Get, "/read", false),
                1 => (HttpMethod.Post, $"/insert/{title}", false),
                2 => (HttpMethod.Post, $"/insert-throw/{title}", false),
                3 => (HttpMethod.Post, $"/insert-400/{title}", false),
                4 => (HttpMethod.Post, "/duplicate", false),
                5 => (HttpMethod.Post, $"/savepoint/{title}", false),
                6 => (HttpMethod.Get, "/slow", true),
                7 => (HttpMethod.Post, $"/slow-insert/{title}", true),
                _ => (HttpMethod.Get, "/db-throw", false),
            };
            using var abortAfter = new CancellationTokenSource();
            if (abort)
            {
                abortAfter.CancelAfter(step.AbortAfter);
            }

            if (step.Kind == 7)
            {
                slowInsertAttempts.Add(title);
            }

            try
            {
                using var request = new HttpRequestMessage(method, path);
                using var response = await client.SendAsync(request, abortAfter.Token);
                var key = $"{step.Kind}:{(int)response.StatusCode}";
                statuses.AddOrUpdate(key, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    (step.Kind == 7 ? slowInsertCreated : committed).Add(title);
                }
            }
            catch (OperationCanceledException) when (abort)
            {
                statuses.AddOrUpdate($"{step.Kind}:aborted", 1, (_, n) => n + 1);
            }
        });
        output.WriteLine(string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));

        // No request holds a connection, nothing is left running or idle in a transaction on the server.
        await DatabaseFixture.WaitUntilAsync(() => Task.FromResult(app.ActiveSessions() == 0), TimeSpan.FromSeconds(5), "every request returned its connection");
        await DatabaseFixture.WaitUntilAsync(async () => await db.CountBusyBackendsAsync() == 0, TimeSpan.FromSeconds(5), "no backend is busy");
        Assert.InRange(await db.CountBackendsAsync(), 1, PoolSize);

        // Every pool slot is free: the whole pool can be taken at once.
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            var connections = await Task.WhenAll(Enumerable.Range(0, PoolSize).Select(_ => dataSource.OpenConnectionAsync(timeout.Token).AsTask()));
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        // Exactly the requests answered 201 committed (slow inserts cut by an abort may have committed or not).
        var rows = (await db.ScalarAsync<string[]>("SELECT coalesce(array_agg(title), '{}') FROM items WHERE title LIKE 'chaos-%'")).ToHashSet();
        var expected = committed.ToHashSet();
        Assert.Empty(expected.Except(rows));
        var unexpected = rows.Except(expected).Except(slowInsertAttempts).ToArray();
        Assert.Empty(unexpected);
        Assert.Empty(slowInsertCreated.Except(rows));
        Assert.True(statuses.Keys.Any(k => k.EndsWith(":aborted", StringComparison.Ordinal)), "no abort was injected");
        Assert.True(statuses.GetValueOrDefault("4:409") > 0, "no constraint violation was injected");
        Assert.True(statuses.GetValueOrDefault("2:500") > 0, "no exception was injected");
    }
}
