using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PgKit.AspNetCore.Diagnostics;

/// <summary>
/// The "PgKit.AspNetCore" meter. Npgsql's own meter ("Npgsql") and activity source stay on beside it;
/// these instruments add what only the request layer knows: waits for the pool, how long a request holds its
/// connection, and what became of request transactions.
/// </summary>
internal sealed class PgKitMetrics
{
    public const string MeterName = PgKitTelemetry.MeterName;
    private const string DatabaseTag = "pgkit.database";

    private readonly Counter<long> _acquisitions;
    private readonly Histogram<double> _waitTime;
    private readonly Counter<long> _timeouts;
    private readonly Histogram<double> _holdTime;
    private readonly Counter<long> _commits;
    private readonly Counter<long> _rollbacks;
    private readonly Counter<long> _commitFailures;
    private readonly Counter<long> _retries;

    public PgKitMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _acquisitions = meter.CreateCounter<long>("pgkit.aspnetcore.connection.acquisitions", "{connection}",
            "Connections taken from the pool for requests.");
        _waitTime = meter.CreateHistogram<double>("pgkit.aspnetcore.connection.wait_time", "s",
            "Time a request waited for a connection from the pool.");
        _timeouts = meter.CreateCounter<long>("pgkit.aspnetcore.connection.timeouts", "{request}",
            "Requests that got no connection within the acquire timeout (answered with 503).");
        _holdTime = meter.CreateHistogram<double>("pgkit.aspnetcore.connection.hold_time", "s",
            "Time a request held its connection before returning it to the pool.");
        _commits = meter.CreateCounter<long>("pgkit.aspnetcore.transaction.commits", "{transaction}",
            "Request transactions committed.");
        _rollbacks = meter.CreateCounter<long>("pgkit.aspnetcore.transaction.rollbacks", "{transaction}",
            "Request transactions rolled back (exception, error status, client abort or failed commit).");
        _commitFailures = meter.CreateCounter<long>("pgkit.aspnetcore.transaction.commit_failures", "{transaction}",
            "Request transactions whose COMMIT failed.");
        _retries = meter.CreateCounter<long>("pgkit.aspnetcore.transaction.retries", "{retry}",
            "Handler re-runs after a serialization failure or deadlock.");
    }

    public void Acquired(string database, long startTimestamp)
    {
        var tag = new KeyValuePair<string, object?>(DatabaseTag, database);
        _acquisitions.Add(1, tag);
        _waitTime.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tag);
    }

    public void TimedOut(string database) => _timeouts.Add(1, new KeyValuePair<string, object?>(DatabaseTag, database));

    public void Released(string database, long acquiredTimestamp) =>
        _holdTime.Record(Stopwatch.GetElapsedTime(acquiredTimestamp).TotalSeconds, new KeyValuePair<string, object?>(DatabaseTag, database));

    // The transaction events also set the outcome of the request's transaction span (PgKitTracing), when there is one.
    public void Committed(string database)
    {
        _commits.Add(1, new KeyValuePair<string, object?>(DatabaseTag, database));
        PgKitTracing.Committed();
    }

    public void RolledBack(string database)
    {
        _rollbacks.Add(1, new KeyValuePair<string, object?>(DatabaseTag, database));
        PgKitTracing.RolledBack();
    }

    public void CommitFailed(string database)
    {
        _commitFailures.Add(1, new KeyValuePair<string, object?>(DatabaseTag, database));
        PgKitTracing.CommitFailed();
    }

    public void Retried()
    {
        _retries.Add(1);
        PgKitTracing.Retried();
    }
}
