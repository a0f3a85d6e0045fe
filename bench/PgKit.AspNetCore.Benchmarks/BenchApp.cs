using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PgKit.AspNetCore.Benchmarks;

internal sealed record Item(int Id, string Title);

/// <summary>One Kestrel app on 127.0.0.1 with each endpoint written twice: with PgKit, and by hand on NpgsqlDataSource.</summary>
internal static class BenchApp
{
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(string connectionString)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Configuration["ConnectionStrings:Postgres"] = connectionString;
        builder.Services.AddPostgres(builder.Configuration);
        var app = builder.Build();

        app.MapGet("/pgkit/items/{id:int}", async (int id, Db db, CancellationToken ct) =>
        {
            var connection = await db.GetConnectionAsync(ct);
            await using var command = new NpgsqlCommand("SELECT title FROM items WHERE id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
            return await command.ExecuteScalarAsync(ct) is string title ? Results.Ok(new Item(id, title)) : Results.NotFound();
        });

        app.MapGet("/raw/items/{id:int}", async (int id, NpgsqlDataSource dataSource, CancellationToken ct) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand("SELECT title FROM items WHERE id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
            return await command.ExecuteScalarAsync(ct) is string title ? Results.Ok(new Item(id, title)) : Results.NotFound();
        });

        app.MapPost("/pgkit/events", async (Atomic db, CancellationToken ct) =>
        {
            var connection = await db.GetConnectionAsync(ct);
            await using var command = new NpgsqlCommand("INSERT INTO events (kind) VALUES ('bench') RETURNING id", connection);
            var id = (long)(await command.ExecuteScalarAsync(ct))!;
            return Results.Created($"/events/{id}", id);
        });

        app.MapPost("/raw/events", async (NpgsqlDataSource dataSource, CancellationToken ct) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using var command = new NpgsqlCommand("INSERT INTO events (kind) VALUES ('bench') RETURNING id", connection);
            var id = (long)(await command.ExecuteScalarAsync(ct))!;
            await transaction.CommitAsync(ct);
            return Results.Created($"/events/{id}", id);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }
}
