using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PgKit.AspNetCore.Hosting;
using PgKit.Embedded;

namespace PgKit.AspNetCore.Embedded;

/// <summary>
/// The embedded default: when a database has no connection string and the app runs in Development (or opted in
/// with <c>UseEmbeddedServer</c>), start the persistent PgKit.Embedded server of the app's content root and use it.
/// Each PgKit database gets its own PostgreSQL database, named after it in lower case. The server stops with the app.
/// </summary>
internal sealed partial class EmbeddedServerFallback(
    IHostEnvironment environment,
    IOptions<EmbeddedServerOptions> options,
    ILoggerFactory loggerFactory) : IConnectionStringFallback, IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = loggerFactory.CreateLogger("PgKit.AspNetCore.Embedded");
    private PostgresServer? _server;

    public bool CanProvide => environment.IsDevelopment() || options.Value.Enabled;

    public string Source => _server is null ? "the embedded PostgreSQL server" : $"the embedded PostgreSQL server (data in {_server.DataDirectory})";

    public async ValueTask<string?> GetConnectionStringAsync(string databaseName, CancellationToken cancellationToken)
    {
        if (!CanProvide)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is null)
            {
                var serverOptions = PostgresServerOptions.ForProject(environment.ContentRootPath);
                serverOptions.LoggerFactory = loggerFactory;
                _server = await PostgresServer.StartAsync(serverOptions, cancellationToken).ConfigureAwait(false);
                LogStarted(_logger, _server.Port, _server.DataDirectory, _server.OsUser);
            }

            var database = databaseName.ToLowerInvariant();
            await EnsureDatabaseAsync(_server, database, cancellationToken).ConfigureAwait(false);
            return _server.GetConnectionString(database);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A provider disposed synchronously (scripts, tests) still stops the server.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static async Task EnsureDatabaseAsync(PostgresServer server, string database, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!await connection.ExistsAsync("pg_catalog.pg_database", new { datname = database }, cancellationToken).ConfigureAwait(false))
            {
                await server.CreateDatabaseAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 40, EventName = "EmbeddedServerStarted", Level = LogLevel.Information,
        Message = "No connection string configured: using the embedded PostgreSQL server on 127.0.0.1:{Port}, running as OS user '{OsUser}', data in {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, int port, string dataDirectory, string osUser);
}
