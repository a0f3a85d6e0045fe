using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PgKit.AspNetCore.Errors;

/// <summary>The <see cref="IExceptionHandler"/> that answers mapped exceptions with ProblemDetails.</summary>
internal sealed class PostgresExceptionHandler(PostgresErrorMapper mapper, IProblemDetailsService problemDetails, ILoggerFactory loggerFactory)
    : IExceptionHandler
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("PgKit.AspNetCore");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        if (mapper.Map(httpContext, exception) is not { } error)
        {
            return false;
        }

        await PostgresProblemWriter.WriteAsync(httpContext, error, exception, problemDetails, _logger).ConfigureAwait(false);
        return true;
    }
}
