using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class SchemaChangeFixture : DatabaseFixture;

/// <summary>
/// A rolling deploy: instance A serves reads whose statements PgKit prepared (its default), instance B starts and
/// migrates a table those statements read with <c>*</c>. PostgreSQL then refuses A's prepared statement once per
/// connection (0A000 "cached plan must not change result type"); A must answer its next requests without an error.
/// </summary>
public sealed class SchemaChangeTests(SchemaChangeFixture db) : IClassFixture<SchemaChangeFixture>
{
    public sealed record Widget(int Id, string Name);

    [Fact]
    public async Task AnotherInstanceMigratesATableAPreparedStatementReads_TheNextRequestsSucceed()
    {
        await db.ExecuteAsync("CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL); INSERT INTO widgets VALUES (1, 'one'), (2, 'two');");
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var a = await TestApp.StartAsync(connectionString, app =>
        {
            app.MapGet("/widgets/{id:int}", async (int id, Db session, CancellationToken ct) =>
                await session.FetchRowAsync<Widget>("SELECT * FROM widgets WHERE id = $1", [id], ct) is { } widget
                    ? Results.Ok(widget) : Results.NotFound());
            app.MapGet("/widgets", async (Db session, CancellationToken ct) => await session.FetchAsync<Widget>("SELECT * FROM widgets ORDER BY id", cancellationToken: ct));
            app.MapPost("/widgets/{id:int}/touch", async (int id, Atomic session, CancellationToken ct) =>
                await session.FetchRowAsync<Widget>("SELECT * FROM widgets WHERE id = $1 FOR UPDATE", [id], ct))
                .WithAtomic(o => o.MaxRetries = 1);
        });
        var client = a.GetTestClient();
        for (var i = 0; i < 3; i++)
        {
            // Two uses prepare a statement (PgKit's default); the third runs prepared.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/widgets/1")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/widgets")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/widgets/1/touch", null)).StatusCode);
        }

        // Instance B starts and migrates: a column added changes the result type of every SELECT * above.
        await (await StartMigratingInstanceAsync("ALTER TABLE widgets ADD COLUMN color text")).DisposeAsync();

        Assert.Equal("{\"id\":2,\"name\":\"two\"}", await ReadAsync(client.GetAsync("/widgets/2")));
        Assert.Equal("[{\"id\":1,\"name\":\"one\"},{\"id\":2,\"name\":\"two\"}]", await ReadAsync(client.GetAsync("/widgets")));
        Assert.Equal("{\"id\":1,\"name\":\"one\"}", await ReadAsync(client.PostAsync("/widgets/1/touch", null)));

        // The next deploy retypes a column the statements read, and drops the one the last one added.
        await (await StartMigratingInstanceAsync("ALTER TABLE widgets ALTER COLUMN name TYPE varchar(40); ALTER TABLE widgets DROP COLUMN color")).DisposeAsync();

        Assert.Equal("{\"id\":1,\"name\":\"one\"}", await ReadAsync(client.GetAsync("/widgets/1")));
        Assert.Equal("[{\"id\":1,\"name\":\"one\"},{\"id\":2,\"name\":\"two\"}]", await ReadAsync(client.GetAsync("/widgets")));
        Assert.Equal("{\"id\":2,\"name\":\"two\"}", await ReadAsync(client.PostAsync("/widgets/2/touch", null)));
    }

    private async Task<WebApplication> StartMigratingInstanceAsync(string migration) =>
        await TestApp.StartAsync(db.ConnectionString, _ => { }, pg => pg.OnInit(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(migration, connection);
            await command.ExecuteNonQueryAsync(ct);
        }));

    private static async Task<string> ReadAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return body;
    }
}
