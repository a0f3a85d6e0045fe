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
        if (status >= 500)
        {
            Log.DatabaseServerError(logger, exception, error.SqlState, status);
        }
        else
        {
            Log.DatabaseClientError(logger, error.SqlState, error.Constraint, status);
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
