using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PgKit.AspNetCore.Diagnostics;

/// <summary>
/// The span of an atomic endpoint's request transaction, on the <see cref="PgKitTelemetry.ActivitySourceName"/> source.
/// It covers the handler and every re-run, so Npgsql's command spans nest under it; the transaction events
/// (<see cref="PgKitMetrics"/> reports them) set its outcome and retry count. With no listener, nothing is allocated.
/// </summary>
internal static class PgKitTracing
{
    private static readonly ActivitySource Source = new(PgKitTelemetry.ActivitySourceName, typeof(PgKitTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Runs an atomic endpoint's filter (<paramref name="run"/>) inside a span, when anyone listens.</summary>
    public static ValueTask<object?> TraceAtomicAsync(
        EndpointFilterInvocationContext invocation,
        EndpointFilterDelegate next,
        Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> run) =>
        Source.HasListeners() ? TraceAsync(invocation, next, run) : run(invocation, next);

    private static async ValueTask<object?> TraceAsync(
        EndpointFilterInvocationContext invocation,
        EndpointFilterDelegate next,
        Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> run)
    {
        using var activity = Source.StartActivity(PgKitTelemetry.AtomicSpanName, ActivityKind.Internal);
        if (activity is null)
        {
            return await run(invocation, next).ConfigureAwait(false);
        }

        activity.SetTag(PgKitTelemetry.RetriesTag, 0);
        if (invocation.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
        {
            activity.SetTag("http.route", route);
        }

        try
        {
            return await run(invocation, next).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            activity.SetTag("error.type", ex.GetType().FullName);
            throw;
        }
        finally
        {
            if (activity.GetTagItem(PgKitTelemetry.OutcomeTag) is null)
            {
                activity.SetTag(PgKitTelemetry.OutcomeTag, "none");
            }
        }
    }

    /// <summary>The request transaction committed.</summary>
    public static void Committed() => SetOutcome("committed", overrideFailure: true);

    /// <summary>The request transaction was rolled back (a COMMIT that failed was already reported by <see cref="CommitFailed"/>).</summary>
    public static void RolledBack() => SetOutcome("rolled_back", overrideFailure: false);

    /// <summary>The COMMIT of the request transaction failed.</summary>
    public static void CommitFailed()
    {
        if (Current() is { } activity)
        {
            activity.SetTag(PgKitTelemetry.OutcomeTag, "failed");
            activity.SetStatus(ActivityStatusCode.Error, "COMMIT failed");
        }
    }

    /// <summary>The handler is about to run again after a serialization failure or deadlock.</summary>
    public static void Retried()
    {
        if (Current() is { } activity)
        {
            var retries = activity.GetTagItem(PgKitTelemetry.RetriesTag) is int count ? count : 0;
            activity.SetTag(PgKitTelemetry.RetriesTag, retries + 1);

            // The attempt's outcome no longer stands: the next attempt sets its own.
            activity.SetTag(PgKitTelemetry.OutcomeTag, null);
            activity.SetStatus(ActivityStatusCode.Unset);
        }
    }

    private static void SetOutcome(string outcome, bool overrideFailure)
    {
        if (Current() is { } activity && (overrideFailure || activity.GetTagItem(PgKitTelemetry.OutcomeTag) is not "failed"))
        {
            activity.SetTag(PgKitTelemetry.OutcomeTag, outcome);
        }
    }

    /// <summary>The transaction span of the code running now, found above any Npgsql command span.</summary>
    private static Activity? Current()
    {
        for (var activity = Activity.Current; activity is not null; activity = activity.Parent)
        {
            if (ReferenceEquals(activity.Source, Source))
            {
                return activity;
            }
        }

        return null;
    }
}
