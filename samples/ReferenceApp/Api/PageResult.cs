using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;

namespace ReferenceApp.Api;

/// <summary>
/// One page of a list: the rows as a plain JSON array (what the seeds' clients read) and, when more rows follow, a
/// <c>Link: &lt;...&amp;cursor=N&gt;; rel="next"</c> header (RFC 8288) with the same query and the next cursor.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class PageResult<T> : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<IReadOnlyList<T>>, IEndpointMetadataProvider
{
    internal PageResult(IReadOnlyList<T> items, long? nextCursor)
    {
        Value = items;
        NextCursor = nextCursor;
    }

    /// <summary>Gets the rows of the page.</summary>
    public IReadOnlyList<T> Value { get; }

    /// <summary>Gets the cursor of the next page, or <see langword="null"/> on the last page.</summary>
    public long? NextCursor { get; }

    /// <summary>Gets the status code, always 200.</summary>
    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    object? IValueHttpResult.Value => Value;

    /// <inheritdoc/>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (NextCursor is { } next)
        {
            var request = httpContext.Request;
            var query = QueryHelpers.ParseQuery(request.QueryString.Value);
            query["cursor"] = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var target = request.PathBase + request.Path + QueryString.Create(query);
            httpContext.Response.Headers.Link = $"<{target}>; rel=\"next\"";
        }

        return TypedResults.Ok(Value).ExecuteAsync(httpContext);
    }

    /// <inheritdoc/>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(IReadOnlyList<T>), ["application/json"]));
    }
}
