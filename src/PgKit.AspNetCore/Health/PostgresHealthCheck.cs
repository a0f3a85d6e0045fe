using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using PgKit.AspNetCore.Hosting;

namespace PgKit.AspNetCore.Health;

/// <summary>
/// Readiness: one round trip (<c>SELECT 1</c>) to each checked database through its pool, all at once, and an answer
/// within the timeout whatever the pool or the server is doing.
/// </summary>
/// <remarks>
/// The probe takes a connection from the app's own pool, bounded by the timeout, rather than opening a connection of
/// its own: readiness asks whether this instance can serve a request now, and with every pooled connection taken it
/// cannot (a separate connection would say "healthy" while requests wait and time out). Reusing an idle pooled
/// connection also costs the server nothing, where a fresh connection per probe would start a backend each time.
/// The timeout is enforced twice: the probe's token is cancelled at the deadline, and the check stops waiting for the
/// probe at the deadline too, because parts of Npgsql's work (opening a physical connection, cancelling a statement
/// on a server that does not answer) may take their own, longer timeouts before they notice the token. A probe given
/// up on finishes in the background and returns its connection.
/// </remarks>
internal sealed class PostgresHealthCheck(PostgresDatabases databases, string? database, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<string> names = database is null ? databases.Names : [database];
        var started = Stopwatch.GetTimestamp();

        // One deadline for all the databases: they are probed concurrently, so N databases still answer within the timeout.
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        var probes = new Task[names.Count];
        for (var i = 0; i < probes.Length; i++)
        {
            probes[i] = ProbeAsync(databases, names[i], bounded.Token);
        }

        // Disposed only when every probe has ended: a probe given up on still needs its token to be cancelled.
        _ = Task.WhenAll(probes).ContinueWith(
            static (all, state) =>
            {
                _ = all.Exception; // observed: the failures are reported below, or were given up on
                ((CancellationTokenSource)state!).Dispose();
            },
            bounded,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < probes.Length; i++)
        {
            var name = names[i];
            try
            {
                var remaining = timeout - Stopwatch.GetElapsedTime(started);
                await probes[i].WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                data[name] = $"{Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.#} ms";
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                data[name] = "no answer";
                return new HealthCheckResult(
                    context.Registration.FailureStatus,
                    ex is TimeoutException or OperationCanceledException
                        ? $"PostgreSQL database '{name}' did not answer within {timeout.TotalMilliseconds:0} ms."
                        : $"PostgreSQL database '{name}' did not answer.",
                    ex,
                    data);
            }
        }

        return HealthCheckResult.Healthy($"{names.Count} PostgreSQL database(s) answered.", data);
    }

    private static async Task ProbeAsync(PostgresDatabases databases, string name, CancellationToken cancellationToken)
    {
        var connection = await databases.Get(name).DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand("SELECT 1", connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
