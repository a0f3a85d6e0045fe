namespace PgKit.AspNetCore;

/// <summary>
/// The names PgKit.AspNetCore reports under, for an OpenTelemetry set-up (or any <c>ActivityListener</c> and
/// <c>MeterListener</c>): <c>tracing.AddSource(PgKitTelemetry.ActivitySourceName)</c>,
/// <c>metrics.AddMeter(PgKitTelemetry.MeterName)</c>. The PgKit.OpenTelemetry package adds both, and Npgsql's.
/// </summary>
public static class PgKitTelemetry
{
    /// <summary>The activity source of request transactions: one span per <see cref="Atomic"/> unit of work.</summary>
    public const string ActivitySourceName = "PgKit.AspNetCore";

    /// <summary>The meter of pool waits, connection hold times and transaction outcomes.</summary>
    public const string MeterName = "PgKit.AspNetCore";

    /// <summary>The name of the span of an atomic endpoint's request transaction.</summary>
    public const string AtomicSpanName = "pgkit.atomic";

    /// <summary>
    /// The span's tag with what became of the transaction: <c>committed</c>, <c>rolled_back</c> (an exception, an error
    /// status or a client abort; PgKit rolled back on purpose), <c>failed</c> (the COMMIT itself failed) or <c>none</c>
    /// (the handler never used the transaction).
    /// </summary>
    public const string OutcomeTag = "pgkit.transaction.outcome";

    /// <summary>The span's tag with how many times the handler was re-run after a serialization failure or deadlock.</summary>
    public const string RetriesTag = "pgkit.transaction.retries";
}
