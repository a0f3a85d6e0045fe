using Npgsql;
using PgKit.AspNetCore;

namespace OpenTelemetry.Trace;

/// <summary>Adds PgKit's and Npgsql's spans to an OpenTelemetry tracer.</summary>
public static class PgKitTracerProviderBuilderExtensions
{
    /// <summary>
    /// Adds the span of each atomic request transaction (<see cref="PgKitTelemetry.AtomicSpanName"/>, tagged with its
    /// <see cref="PgKitTelemetry.OutcomeTag"/> and <see cref="PgKitTelemetry.RetriesTag"/>) and Npgsql's command spans,
    /// which nest under it.
    /// </summary>
    /// <param name="builder">The tracer provider builder, from <c>services.AddOpenTelemetry().WithTracing(...)</c>.</param>
    /// <returns>The same builder.</returns>
    public static TracerProviderBuilder AddPgKitInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(PgKitTelemetry.ActivitySourceName).AddNpgsql();
    }
}
