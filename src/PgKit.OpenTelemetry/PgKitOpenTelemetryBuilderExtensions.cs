using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OpenTelemetry;

/// <summary>The one call that adds PgKit's and Npgsql's tracing and metrics to an app's OpenTelemetry.</summary>
public static class PgKitOpenTelemetryBuilderExtensions
{
    /// <summary>
    /// Adds tracing (each atomic request transaction's span, with Npgsql's command spans under it) and metrics (PgKit's
    /// and Npgsql's meters): <c>builder.Services.AddOpenTelemetry().AddPgKitInstrumentation().UseOtlpExporter()</c>.
    /// Exporters, resource and ASP.NET Core's own instrumentation stay the app's choice.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddOpenTelemetry()</c>.</param>
    /// <returns>The same builder.</returns>
    public static IOpenTelemetryBuilder AddPgKitInstrumentation(this IOpenTelemetryBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithTracing(tracing => tracing.AddPgKitInstrumentation())
            .WithMetrics(metrics => metrics.AddPgKitInstrumentation());
    }
}
