using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgKit.AspNetCore.Diagnostics;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// The bounded wait at shutdown: waits up to <see cref="PostgresOptions.ShutdownTimeout"/> for the requests that hold a
/// connection, then cancels their statements on the server and waits a short grace, so closing the pool never hangs on
/// a stuck query.
/// </summary>
internal sealed class ShutdownDrainer(string name, TimeSpan shutdownTimeout, ActiveSessionTracker sessions, DataSourceFactory factory, ILogger logger)
{
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaintenanceTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Waits for in-flight requests, cancelling their statements when the wait is over; never throws for a failed cancel.</summary>
    public async Task DrainAsync()
    {
        await Task.Yield();
        var count = sessions.Count;
        if (count == 0 || factory.BuiltConnectionString is null)
        {
            return;
        }

        Log.ShutdownWaiting(logger, (long)shutdownTimeout.TotalMilliseconds, count, name);
        if (await WaitForIdleAsync(shutdownTimeout).ConfigureAwait(false))
        {
            return;
        }

        var processIds = sessions.ProcessIds();
        Log.ShutdownCancelling(logger, processIds.Length, name);
        try
        {
            await CancelQueriesAsync(processIds).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            Log.ShutdownCancelFailed(logger, ex, name);
        }

        await WaitForIdleAsync(CancelGrace).ConfigureAwait(false);
    }

    private async Task<bool> WaitForIdleAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (sessions.Count > 0)
        {
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Cancels the running statements of the given backends through a separate, unpooled connection: the pool itself
    /// may be exhausted by the very requests that are stuck.
    /// </summary>
    private async Task CancelQueriesAsync(int[] processIds)
    {
        using var timeout = new CancellationTokenSource(MaintenanceTimeout);
        var dataSource = factory.BuildMaintenance(MaintenanceTimeout);
        await using (dataSource.ConfigureAwait(false))
        {
            var command = dataSource.CreateCommand("SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM unnest($1::int[]) AS pid");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = processIds });
                await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            }
        }
    }
}
