using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace PgKit.AspNetCore.Requests;

/// <summary>
/// Wraps the app's <see cref="IProblemDetailsService"/> so that a 400 validation problem becomes a 422 with the same
/// errors, keyed in the app's JSON naming policy. That is the answer .NET 10's minimal-API validation
/// (<c>AddValidation()</c>) writes when data annotations fail: a 400 <see cref="HttpValidationProblemDetails"/> through
/// this service, with keys named after the C# members (<c>Title</c>, <c>Address.Street</c>).
/// </summary>
internal sealed class UnprocessableValidationProblems(IProblemDetailsService inner, IOptions<HttpJsonOptions> jsonOptions) : IProblemDetailsService
{
    private readonly JsonNamingPolicy? _naming = jsonOptions.Value.SerializerOptions.PropertyNamingPolicy;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        Rewrite(context);
        return inner.WriteAsync(context);
    }

    public ValueTask<bool> TryWriteAsync(ProblemDetailsContext context)
    {
        Rewrite(context);
        return inner.TryWriteAsync(context);
    }

    private void Rewrite(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ProblemDetails is not HttpValidationProblemDetails problem
            || (problem.Status ?? context.HttpContext.Response.StatusCode) != StatusCodes.Status400BadRequest
            || context.HttpContext.Response.HasStarted)
        {
            return;
        }

        problem.Status = StatusCodes.Status422UnprocessableEntity;
        context.HttpContext.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;

        // A type chosen for the 400 (RFC 9110 15.5.1) would now be wrong; the writer fills in the 422's.
        if (problem.Type is { } type && type.EndsWith("#section-15.5.1", StringComparison.Ordinal))
        {
            problem.Type = null;
        }

        if (_naming is not null)
        {
            problem.Errors = problem.Errors.GroupBy(e => WireName(e.Key, _naming), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToArray(), StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The key of an error in the wire's naming: each member of a path (<c>Lines[0].ProductId</c>) converted,
    /// indexes kept. Keys already in the naming (the binding errors') stay as they are.
    /// </summary>
    internal static string WireName(string key, JsonNamingPolicy naming)
    {
        if (key.Length == 0)
        {
            return key;
        }

        var name = new StringBuilder(key.Length + 8);
        foreach (var segment in key.Split('.'))
        {
            if (name.Length > 0)
            {
                name.Append('.');
            }

            var index = segment.IndexOf('[', StringComparison.Ordinal);
            var member = index < 0 ? segment : segment[..index];
            name.Append(member.Length == 0 ? member : naming.ConvertName(member));
            if (index >= 0)
            {
                name.Append(segment[index..]);
            }
        }

        return name.ToString();
    }
}
