using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PgKit.AspNetCore.Errors;

/// <summary>
/// In Development, WebApplication puts the developer exception page inside PgKit's exception handler, so it would
/// render database errors as a 500 page. This filter answers mapped exceptions there with the same status and a
/// ProblemDetails body that includes the details (message, SQL, stack trace).
/// </summary>
internal sealed class PostgresDeveloperPageExceptionFilter(PostgresErrorMapper mapper, IServiceProvider services, ILoggerFactory loggerFactory)
    : IDeveloperPageExceptionFilter
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("PgKit.AspNetCore");

    public async Task HandleExceptionAsync(ErrorContext errorContext, Func<ErrorContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(errorContext);
        ArgumentNullException.ThrowIfNull(next);
        if (mapper.Map(errorContext.HttpContext, errorContext.Exception) is not { } error)
        {
            await next(errorContext).ConfigureAwait(false);
            return;
        }

        await PostgresProblemWriter.WriteAsync(
            errorContext.HttpContext, error, errorContext.Exception, services.GetService<IProblemDetailsService>(), _logger).ConfigureAwait(false);
    }
}
