using Microsoft.Extensions.Hosting;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// Builds every registered pool and runs the startup hooks in <see cref="StartingAsync"/>, which the host runs before
/// any <see cref="IHostedService.StartAsync"/> (the web server included), so no request arrives before the hooks are done.
/// At shutdown it starts the bounded drain in <see cref="StoppingAsync"/> (before the server waits for its requests)
/// and closes the pools in <see cref="StopAsync"/>.
/// </summary>
internal sealed class PostgresHostedService(PostgresDatabases databases) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var started = new List<PostgresDatabase>();
        try
        {
            foreach (var name in databases.Names)
            {
                var database = databases.Get(name);
                started.Add(database);
                await database.StartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var database in started)
            {
                await database.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        foreach (var database in databases.Created)
        {
            database.BeginShutdown();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(databases.Created.Select(database => database.StopAsync(cancellationToken)));

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
