using Microsoft.AspNetCore.Mvc.Filters;

namespace PgKit.AspNetCore.Transactions;

/// <summary>
/// The MVC twin of the endpoint filter's first step: a global resource filter, run before the controller is created and
/// the action runs, that tells the request's sessions which request they serve (endpoint metadata such as
/// <see cref="AtomicAttribute"/>, the abort token, the response).
/// </summary>
internal sealed class PgScopeResourceFilter : IResourceFilter, IOrderedFilter
{
    /// <summary>Gets the lowest order, so that the scope knows its request before any other filter uses a session.</summary>
    public int Order => int.MinValue;

    public void OnResourceExecuting(ResourceExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        PgEndpointFilter.Enter(context.HttpContext);
    }

    public void OnResourceExecuted(ResourceExecutedContext context)
    {
    }
}
