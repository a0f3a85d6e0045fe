using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PgKit.AspNetCore;

namespace ReferenceApp.Features.Health;

/// <summary>
/// <c>/healthz</c> (ready: the checks tagged "ready", a round trip to each database) and <c>/livez</c> (the process
/// answers). Plain handlers rather than <c>MapHealthChecks</c>, so the OpenAPI document lists them too.
/// </summary>
/// <remarks>
/// <c>/healthz</c> answers within the check's timeout (<c>AddPostgres()</c> on the health checks: 1 s by default), also
/// while every pooled connection is taken, which it reports as 503: this instance cannot serve a database request then.
/// A 503 carries <c>Retry-After</c>, the same value as PgKit's own 503s (<see cref="PostgresProblemDetailsOptions.RetryAfter"/>).
/// </remarks>
public static class HealthEndpoints
{
    /// <summary>Maps <c>GET /healthz</c> and <c>GET /livez</c>.</summary>
    /// <param name="routes">The app or a parent group.</param>
    /// <returns>The same route builder.</returns>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/healthz", ReadyAsync).WithTags("Health").WithName("Ready")
            .WithSummary("Ready: the database answers")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        routes.MapGet("/livez", Live).WithTags("Health").WithName("Live")
            .WithSummary("Live: the process answers")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return routes;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ReadyAsync(
        HealthCheckService health, IOptions<PostgresProblemDetailsOptions> problems, HttpResponse response, CancellationToken cancellationToken)
    {
        // Probes must see the current state, never a cached one.
        response.Headers.CacheControl = "no-store, no-cache";
        var report = await health.CheckHealthAsync(check => check.Tags.Contains("ready"), cancellationToken);
        if (report.Status == HealthStatus.Unhealthy)
        {
            // Names the failing checks only: their exceptions may hold connection details.
            var failing = string.Join(", ", report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => e.Key));
            var retryAfter = Math.Max(1, (int)Math.Ceiling(problems.Value.RetryAfter.TotalSeconds));
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(detail: $"Unhealthy: {failing}", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return TypedResults.Text(report.Status.ToString(), "text/plain");
    }

    private static ContentHttpResult Live(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store, no-cache";
        return TypedResults.Text(nameof(HealthStatus.Healthy), "text/plain");
    }
}
