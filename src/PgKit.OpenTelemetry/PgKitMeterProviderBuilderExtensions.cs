using Npgsql;
using PgKit.AspNetCore;

namespace OpenTelemetry.Metrics;

/// <summary>Adds PgKit's and Npgsql's metrics to an OpenTelemetry meter provider.</summary>
public static class PgKitMeterProviderBuilderExtensions
{
    /// <summary>
    /// Adds the <see cref="PgKitTelemetry.MeterName"/> meter (pool waits, connection hold times, commits, rollbacks,
    /// retries) and Npgsql's (connections, commands).
    /// </summary>
    /// <param name="builder">The meter provider builder, from <c>services.AddOpenTelemetry().WithMetrics(...)</c>.</param>
    /// <returns>The same builder.</returns>
    public static MeterProviderBuilder AddPgKitInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(PgKitTelemetry.MeterName).AddNpgsqlInstrumentation();
    }
}
