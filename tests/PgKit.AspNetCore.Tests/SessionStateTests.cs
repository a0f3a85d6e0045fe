using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class SessionStateFixture : DatabaseFixture
{
    protected override string Schema => "CREATE SCHEMA leak; CREATE TABLE leak.marker (id int); CREATE TABLE public.numbers (n int); INSERT INTO public.numbers VALUES (1), (2);";
}

/// <summary>
/// Session state a handler leaves on its connection (a SET, a search_path, a temporary table, a LISTEN, a session
/// advisory lock) never reaches the next request on the same pooled connection, with PgKit's defaults (statements
/// auto-prepared): Npgsql resets the session when the connection returns to the pool, keeping the prepared statements.
/// </summary>
public sealed class SessionStateTests(SessionStateFixture db) : IClassFixture<SessionStateFixture>
{
    private const string Inspect = """
        SELECT pg_backend_pid() || '|' || current_setting('statement_timeout') || '|' || current_setting('search_path') || '|'
            || coalesce(to_regclass('pg_temp.leaked')::text, 'none') || '|' || (SELECT count(*) FROM pg_listening_channels()) || '|'
            || (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) || '|'
            || (SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql)
        """;

    [Fact]
    public async Task SessionStateSetByAHandler_NeverReachesTheNextRequestOnThatConnection()
    {
        // One connection, so the second request gets the connection the first one dirtied.
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var app = await TestApp.StartAsync(connectionString, app =>
        {
            app.MapPost("/dirty", async (Db session, CancellationToken ct) =>
            {
                // A statement run twice is prepared (PgKit's default), so the reset must keep prepared statements.
                await session.ValueAsync<long>("SELECT count(*) FROM numbers", ct);
                await session.ValueAsync<long>("SELECT count(*) FROM numbers", ct);
                await session.RunAsync("SET statement_timeout = 1234", ct);
                await session.RunAsync("SET search_path = leak, public", ct);
                await session.RunAsync("CREATE TEMP TABLE leaked (id int)", ct);
                await session.RunAsync("LISTEN leaked_channel", ct);
                await session.RunAsync("SELECT pg_advisory_lock(4242)", ct);
                return await session.ValueAsync<string>(Inspect, ct);
            });
            app.MapGet("/inspect", async (Db session, CancellationToken ct) => await session.ValueAsync<string>(Inspect, ct));
        });
        var client = app.GetTestClient();
        var before = (await client.GetStringAsync("/inspect")).Split('|');

        using var dirty = await client.PostAsync("/dirty", null);
        var during = (await dirty.Content.ReadAsStringAsync()).Split('|');
        var after = (await client.GetStringAsync("/inspect")).Split('|');

        Assert.Equal(HttpStatusCode.OK, dirty.StatusCode);
        Assert.Equal(before[0], during[0]); // the same backend served all three requests
        Assert.Equal(before[0], after[0]);
        Assert.Equal(["1234ms", "leak, public", "leaked", "1", "1"], during[1..6]); // the state was there
        Assert.Equal(before[1..6], after[1..6]); // and is gone: timeout, search_path, temp table, listen, advisory lock
        Assert.Equal("none", after[3]);
        Assert.True(int.Parse(after[6], System.Globalization.CultureInfo.InvariantCulture) >= 1, "the prepared statements were kept across the reset");
    }
}
