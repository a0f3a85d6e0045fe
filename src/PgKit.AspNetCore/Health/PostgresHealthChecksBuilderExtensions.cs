using Microsoft.Extensions.Diagnostics.HealthChecks;
using PgKit.AspNetCore.Health;
using PgKit.AspNetCore.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds PostgreSQL readiness checks to <c>AddHealthChecks()</c>.</summary>
public static class PostgresHealthChecksBuilderExtensions
{
    /// <summary>The tag the check carries by default, for <c>MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") })</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The time a check may take by default: 1 second, the default timeout of a Kubernetes probe.</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Adds a readiness check that makes one round trip (<c>SELECT 1</c>) to every registered PostgreSQL database, or to
    /// <paramref name="database"/> only, through each database's pool. Liveness needs no database: map a check with
    /// <c>Predicate = _ => false</c>.
    /// </summary>
    /// <remarks>
    /// The check answers within <paramref name="timeout"/> whatever the pool is doing: with every pooled connection taken
    /// (or a server that does not answer) it reports <paramref name="failureStatus"/> when the timeout is up, instead of
    /// waiting as long as a request would (<c>AcquireTimeout</c>). Databases are checked concurrently, under one deadline.
    /// </remarks>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="database">The database to check; <see langword="null"/> (the default) checks every registered database.</param>
    /// <param name="name">The check's name; the default is <c>postgres</c>, or <c>postgres:{database}</c>.</param>
    /// <param name="tags">The check's tags; the default is <c>["ready"]</c>.</param>
    /// <param name="timeout">The time the whole check may take, connection included; the default is 1 second.</param>
    /// <param name="failureStatus">The status reported on failure; the default is <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IHealthChecksBuilder AddPostgres(
        this IHealthChecksBuilder builder,
        string? database = null,
        string? name = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null,
        HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var bound = timeout ?? DefaultTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, TimeSpan.Zero, nameof(timeout));
        return builder.Add(new HealthCheckRegistration(
            name ?? (database is null ? "postgres" : "postgres:" + database),
            sp => new PostgresHealthCheck(sp.GetRequiredService<PostgresDatabases>(), database, bound),
            failureStatus,
            tags ?? [ReadyTag]));
    }
}
