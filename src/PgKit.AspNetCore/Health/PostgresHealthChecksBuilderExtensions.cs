using Microsoft.Extensions.Diagnostics.HealthChecks;
using PgKit.AspNetCore.Health;
using PgKit.AspNetCore.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds PostgreSQL readiness checks to <c>AddHealthChecks()</c>.</summary>
public static class PostgresHealthChecksBuilderExtensions
{
    /// <summary>The tag the check carries by default, for <c>MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") })</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Adds a readiness check that makes one round trip (<c>SELECT 1</c>) to every registered PostgreSQL database, or to
    /// <paramref name="database"/> only. Liveness needs no database: map a check with <c>Predicate = _ => false</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="database">The database to check; <see langword="null"/> (the default) checks every registered database.</param>
    /// <param name="name">The check's name; the default is <c>postgres</c>, or <c>postgres:{database}</c>.</param>
    /// <param name="tags">The check's tags; the default is <c>["ready"]</c>.</param>
    /// <param name="timeout">The time each round trip may take; the default is 5 seconds.</param>
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
        var bound = timeout ?? TimeSpan.FromSeconds(5);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, TimeSpan.Zero, nameof(timeout));
        return builder.Add(new HealthCheckRegistration(
            name ?? (database is null ? "postgres" : "postgres:" + database),
            sp => new PostgresHealthCheck(sp.GetRequiredService<PostgresDatabases>(), database, bound),
            failureStatus,
            tags ?? [ReadyTag]));
    }
}
