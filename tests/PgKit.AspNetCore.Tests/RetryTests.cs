using System.Data;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class RetryFixture : DatabaseFixture
{
    protected override string Schema => """
        CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL);
        INSERT INTO counters VALUES (1, 0), (2, 0);
        CREATE TABLE commit_rows (id serial PRIMARY KEY, note text);
        CREATE SEQUENCE commit_attempts;
        CREATE FUNCTION fail_first_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Sequences are not transactional: only the very first COMMIT fails.
            IF nextval('commit_attempts') = 1 THEN
                RAISE EXCEPTION 'provoked serialization failure at commit' USING ERRCODE = 'serialization_failure';
            END IF;
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER commit_rows_fail_first AFTER INSERT ON commit_rows
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_first_commit();
        """;
}

public sealed class RetryTests(RetryFixture db) : IClassFixture<RetryFixture>
{
    private Delegate ConflictingIncrement(int counter, Func<int> nextAttempt) => async (Atomic atomic, CancellationToken ct) =>
    {
        var attempt = nextAttempt();
        _ = await atomic.ValueAsync<int>("SELECT value FROM counters WHERE id = $1", ct, counter); // takes the snapshot
        if (attempt == 1)
        {
            await db.ExecuteAsync($"UPDATE counters SET value = value + 100 WHERE id = {counter}"); // a concurrent, committed write
        }

        await atomic.RunAsync("UPDATE counters SET value = value + 1 WHERE id = $1", ct, counter); // 40001 on the first attempt
        return Results.Ok(attempt);
    };

    [Fact]
    public async Task SerializationFailureInTheHandler_RunsTheHandlerAgain_ThenSucceeds()
    {
        var attempts = 0;
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
            a.MapPost("/increment", ConflictingIncrement(1, () => Interlocked.Increment(ref attempts)))
                .WithAtomic(o =>
                {
                    o.IsolationLevel = IsolationLevel.Serializable;
                    o.MaxRetries = 3;
                    o.RetryDelay = TimeSpan.FromMilliseconds(5);
                }));

        using var response = await app.GetTestClient().PostAsync("/increment", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, attempts);
        Assert.Equal(101, await db.ScalarAsync<int>("SELECT value FROM counters WHERE id = 1"));
    }

    [Fact]
    public async Task WithoutTheRetryOption_SerializationFailure_Answers409WithARetryHint()
    {
        var attempts = 0;
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
            a.MapPost("/increment", ConflictingIncrement(2, () => Interlocked.Increment(ref attempts)))
                .WithAtomic(o => o.IsolationLevel = IsolationLevel.RepeatableRead));

        using var response = await app.GetTestClient().PostAsync("/increment", null);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(1, attempts);
        Assert.Equal("40001", json.RootElement.GetProperty("sqlState").GetString());
        Assert.True(json.RootElement.GetProperty("retryable").GetBoolean());
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(100, await db.ScalarAsync<int>("SELECT value FROM counters WHERE id = 2"));
    }

    [Fact]
    public async Task SerializationFailureAtCommit_RunsTheHandlerAgain()
    {
        var attempts = 0;
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
            a.MapPost("/rows", async (Db plain, CancellationToken ct) =>
            {
                var attempt = Interlocked.Increment(ref attempts);
                await plain.RunAsync("INSERT INTO commit_rows (note) VALUES ($1)", ct, $"attempt {attempt}");
                return Results.Created();
            }).WithAtomic(o => o.MaxRetries = 2));

        using var response = await app.GetTestClient().PostAsync("/rows", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, attempts);
        Assert.Equal("attempt 2", await db.ScalarAsync<string>("SELECT string_agg(note, ',') FROM commit_rows"));
    }

    [Fact]
    public async Task DeadlockAsATypedPgKitException_IsRetried_AndRetriesAreBounded()
    {
        var attempts = 0;
        var always = 0;
        await using var app = await TestApp.StartAsync(db.ConnectionString, a =>
        {
            a.MapPost("/once", async (Atomic atomic, CancellationToken ct) =>
            {
                if (Interlocked.Increment(ref attempts) == 1)
                {
                    await RaiseAsync(atomic, "deadlock_detected", ct);
                }

                return Results.Ok();
            }).WithAtomic(o => o.MaxRetries = 1);
            a.MapPost("/always", async (Atomic atomic, CancellationToken ct) =>
            {
                Interlocked.Increment(ref always);
                await RaiseAsync(atomic, "serialization_failure", ct);
            }).WithAtomic(o => o.MaxRetries = 2);
        });
        var client = app.GetTestClient();

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/once", null)).StatusCode);
        Assert.Equal(2, attempts);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/always", null)).StatusCode);
        Assert.Equal(3, always);
    }

    // Through PgKit's own helper, which lets the server's PostgresException through as it is.
    private static Task RaiseAsync(Atomic atomic, string condition, CancellationToken ct)
        => atomic.ExecuteSqlAsync($"DO $$ BEGIN RAISE EXCEPTION 'provoked' USING ERRCODE = '{condition}'; END $$", cancellationToken: ct);
}
