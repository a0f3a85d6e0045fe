using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using PgKit.AspNetCore.Sessions;

namespace PgKit.AspNetCore.Transactions;

/// <summary>
/// The MVC side of the request connection: a global always-run result filter, which MVC runs after the action (and any
/// exception filter) produced its result and before the result executes. It completes the request transaction there,
/// by the result's status, and returns idle connections to the pool. A failed COMMIT throws out of the invoker, before
/// anything is written, to the exception handler.
/// </summary>
internal sealed class PgResultFilter : IAsyncAlwaysRunResultFilter, IOrderedFilter
{
    /// <summary>Gets a high order, so that the filter runs after other result filters have replaced the result.</summary>
    public int Order => int.MaxValue - 1000;

    public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var httpContext = context.HttpContext;
        if (httpContext.RequestServices.GetService<PgRequestScope>() is { } scope)
        {
            if (scope.HasActiveAtomicTransaction)
            {
                var status = httpContext.Response.HasStarted ? httpContext.Response.StatusCode : ResultStatus.Of(context.Result, httpContext);
                var commit = status < 400 && !httpContext.RequestAborted.IsCancellationRequested;
                await scope.CompleteAsync(commit).ConfigureAwait(false);
            }

            // Not held while the result is written.
            await scope.ReleaseIdleAsync().ConfigureAwait(false);
        }

        await next().ConfigureAwait(false);
    }
}
