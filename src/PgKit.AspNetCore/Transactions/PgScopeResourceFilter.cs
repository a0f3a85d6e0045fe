using Microsoft.AspNetCore.Mvc.Filters;

namespace PgKit.AspNetCore.Transactions;

/// <summary>
/// The MVC twin of the endpoint filter's first and last steps: a global resource filter, the outermost of the action's
/// filters. Before the controller is created and the action runs, it tells the request's sessions which request they
/// serve (endpoint metadata such as <see cref="AtomicAttribute"/>, the abort token, the response). When an exception
/// leaves the action and no exception filter handled it (so no result filter runs), it rolls back the request
/// transaction and returns the idle connection before the exception reaches the handler that writes the error response,
/// as the endpoint filter does for minimal APIs.
/// </summary>
internal sealed class PgScopeResourceFilter : IAsyncResourceFilter, IOrderedFilter
{
    /// <summary>Gets the lowest order, so that the scope knows its request before any other filter uses a session.</summary>
    public int Order => int.MinValue;

    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var scope = PgEndpointFilter.Enter(context.HttpContext);
        var executed = await next().ConfigureAwait(false);
        if (executed.Exception is not null && !executed.ExceptionHandled)
        {
            // Roll back now, so locks are gone and the connection is back in the pool before the error response is written.
            await scope.CompleteAsync(commit: false).ConfigureAwait(false);
            await scope.ReleaseIdleAsync().ConfigureAwait(false);
        }
    }
}
