using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PgKit.AspNetCore.Diagnostics;

namespace PgKit.AspNetCore.Errors;

/// <summary>Writes a <see cref="MappedError"/> through <see cref="IProblemDetailsService"/> (content negotiation, traceId, customizations).</summary>
internal static class PostgresProblemWriter
{
    public static async ValueTask WriteAsync(HttpContext httpContext, MappedError error, Exception exception, IProblemDetailsService? problemDetails, ILogger logger)
    {
        var status = error.Problem.Status ?? StatusCodes.Status500InternalServerError;
        // Only errors PostgreSQL reported have a SQLSTATE; the others (not found, pool exhausted) get messages of their own.
        switch (error.SqlState, status >= 500)
        {
            case (not null, true):
                Log.DatabaseServerError(logger, exception, error.SqlState, status);
                break;
            case (not null, false):
                Log.DatabaseClientError(logger, error.SqlState, error.Constraint, status);
                break;
            case (null, true):
                Log.DatabaseUnavailable(logger, exception, exception.GetType().Name, status);
                break;
            default:
                Log.ErrorAnswered(logger, exception.GetType().Name, status);
                break;
        }

        httpContext.Response.StatusCode = status;
        if (error.RetryAfter is { } retryAfter)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (problemDetails is not null)
        {
            await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = error.Problem,
                Exception = exception,
            }).ConfigureAwait(false);
        }
    }
}
