using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgKit.AspNetCore;

namespace PgKit.FaultTests.Support;

/// <summary>
/// One instance of the reference app, in process, in Production, connected as the embedded server's <c>app</c> role
/// (no superuser rights), with the pool's acquire timeout of the case. It also serves one test-only endpoint,
/// <c>POST /fault/pair/{key}</c>: an atomic endpoint of several statements (two item rows with a pause between), the
/// kind whose rows must be all-or-nothing; the reference app's own writes are one statement each.
/// </summary>
public sealed class FaultApp(string connectionString, TimeSpan acquireTimeout) : WebApplicationFactory<Program>
{
    /// <summary>The path prefix of the test-only endpoints.</summary>
    public const string PairPath = "/fault/pair/";

    /// <summary>Gets the app's pool (the keyed default database's data source).</summary>
    public NpgsqlDataSource DataSource => Services.GetRequiredService<NpgsqlDataSource>();

    /// <summary>Starts the app (its migrations run against the server) and returns it.</summary>
    /// <returns>The started app.</returns>
    public FaultApp Start()
    {
        _ = Services;
        return this;
    }

    /// <summary>Creates a client whose requests time out after <paramref name="timeout"/> (a hang is a failure, not a wait).</summary>
    /// <param name="timeout">The longest any request may take.</param>
    /// <returns>The client.</returns>
    public HttpClient CreateClient(TimeSpan timeout)
    {
        var client = CreateClient();
        client.Timeout = timeout;
        return client;
    }

    /// <summary>Takes every connection of the pool at once, within <paramref name="timeout"/>: proves none leaked.</summary>
    /// <param name="timeout">How long to wait for the whole pool.</param>
    /// <returns>The pool's size.</returns>
    public async Task<int> TakeWholePoolAsync(TimeSpan timeout)
    {
        var size = new NpgsqlConnectionStringBuilder(DataSource.ConnectionString).MaxPoolSize;
        using var cancel = new CancellationTokenSource(timeout);
        var connections = await Task.WhenAll(Enumerable.Range(0, size).Select(_ => DataSource.OpenConnectionAsync(cancel.Token).AsTask()));
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        return size;
    }

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:" + PostgresOptions.DefaultName, connectionString);
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureServices(services =>
        {
            services.PostConfigure<PostgresOptions>(PostgresOptions.DefaultName, options => options.AcquireTimeout = acquireTimeout);
            services.AddSingleton<IStartupFilter, PairEndpoint>();
        });
    }

    /// <summary>Maps <c>POST /fault/pair/{key}</c> on a branch of its own, ahead of the app's pipeline.</summary>
    private sealed class PairEndpoint : IStartupFilter
    {
        private const string InsertSql = "INSERT INTO item (name) VALUES ($1)";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/fault", branch =>
            {
                branch.UseRouting();
                branch.UseEndpoints(endpoints => endpoints.MapPost("/pair/{key}", async (string key, Atomic db, CancellationToken ct) =>
                {
                    // Plain Npgsql commands on the request transaction's connection.
                    var connection = await db.GetConnectionAsync(ct);
                    await using (var first = new NpgsqlCommand(InsertSql, connection) { Parameters = { new() { Value = key + "-a" } } })
                    {
                        await first.ExecuteNonQueryAsync(ct);
                    }

                    await using (var pause = new NpgsqlCommand("SELECT pg_sleep(0.02)", connection))
                    {
                        await pause.ExecuteNonQueryAsync(ct);
                    }

                    await using (var second = new NpgsqlCommand(InsertSql, connection) { Parameters = { new() { Value = key + "-b" } } })
                    {
                        await second.ExecuteNonQueryAsync(ct);
                    }

                    return Results.Created();
                }));
            });
            next(app);
        };
    }
}
