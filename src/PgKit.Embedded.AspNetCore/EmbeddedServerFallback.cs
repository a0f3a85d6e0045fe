using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgKit.AspNetCore;
using PgKit.Embedded;

namespace PgKit.Embedded.AspNetCore;

/// <summary>
/// The embedded default: when a database has no connection string and the app runs in Development (or opted in
/// with <c>UseEmbeddedServerInEveryEnvironment</c>), start the persistent PgKit.Embedded server of the app's content
/// root and use it. Each PgKit database gets its own PostgreSQL database, named after it in lower case and owned by the
/// server's <c>app</c> role, which the app connects as (never the superuser). The server stops with the app.
/// </summary>
internal sealed partial class EmbeddedServerFallback(
    IHostEnvironment environment,
    IOptions<EmbeddedServerOptions> options,
    ILoggerFactory loggerFactory) : IConnectionStringFallback, IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = loggerFactory.CreateLogger("PgKit.Embedded.AspNetCore");
    private PostgresServer? _server;

    public bool CanProvide => environment.IsDevelopment() || options.Value.AllowOutsideDevelopment;

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
                if (!environment.IsDevelopment())
                {
                    LogOutsideDevelopment(_logger, environment.EnvironmentName);
                }

                _server = await PostgresServer.StartAsync(serverOptions, cancellationToken).ConfigureAwait(false);
                LogStarted(_logger, _server.Port, _server.DataDirectory, _server.OsUser);
            }

            return await _server.EnsureAppDatabaseAsync(databaseName.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
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

    // A provider disposed synchronously (scripts, tests) still stops the server, without blocking on the stop:
    // pg_ctl is started before the call below returns (it signals the postmaster at once), and waiting for it and the
    // clean-up after it (the owner record, the socket folder) finish in the background. A failure is logged.
    public void Dispose()
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is null)
        {
            return;
        }

        _ = server.DisposeAsync().AsTask().ContinueWith(
            static (stop, logger) => LogStopFailed((ILogger)logger!, stop.Exception!.GetBaseException()),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    [LoggerMessage(EventId = 40, EventName = "EmbeddedServerStarted", Level = LogLevel.Information,
        Message = "No connection string configured: using the embedded PostgreSQL server on 127.0.0.1:{Port}, running as OS user '{OsUser}', data in {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, int port, string dataDirectory, string osUser);

    [LoggerMessage(EventId = 41, EventName = "EmbeddedServerOutsideDevelopment", Level = LogLevel.Warning,
        Message = "The {Environment} environment has no connection string configured and the app asked for the embedded PostgreSQL server in every environment (UseEmbeddedServerInEveryEnvironment): data lives on this machine only. Set ConnectionStrings:Postgres for a real deployment.")]
    private static partial void LogOutsideDevelopment(ILogger logger, string environment);

    [LoggerMessage(EventId = 42, EventName = "EmbeddedServerStopFailed", Level = LogLevel.Warning,
        Message = "Stopping the embedded PostgreSQL server (started by a synchronous Dispose) failed; the next start cleans up what is left.")]
    private static partial void LogStopFailed(ILogger logger, Exception exception);
}
