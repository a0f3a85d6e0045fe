using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using PgKit.AspNetCore.Hosting;

namespace PgKit.AspNetCore.Health;

/// <summary>Readiness: one round trip (<c>SELECT 1</c>) to each checked database, each bounded by the timeout.</summary>
internal sealed class PostgresHealthCheck(PostgresDatabases databases, string? database, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<string> names = database is null ? databases.Names : [database];
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bounded.CancelAfter(timeout);
                var connection = await databases.Get(name).DataSource.OpenConnectionAsync(bounded.Token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var command = new NpgsqlCommand("SELECT 1", connection);
                    await using (command.ConfigureAwait(false))
                    {
                        await command.ExecuteScalarAsync(bounded.Token).ConfigureAwait(false);
                    }
                }

                data[name] = $"{Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.#} ms";
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                data[name] = "no answer";
                return new HealthCheckResult(context.Registration.FailureStatus, $"PostgreSQL database '{name}' did not answer.", ex, data);
            }
        }

        return HealthCheckResult.Healthy($"{names.Count} PostgreSQL database(s) answered.", data);
    }
}
