using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using ReferenceApp.Api;
using ReferenceApp.Features.Articles;

namespace PgKit.LoadBenchmarks.Apps;

/// <summary>
/// What the raw, Dapper and EF Core variants share with the reference app besides the records: its JSON options, its
/// validation of an article and of a page size, and its answers (ProblemDetails for 404 / 409 / 422, the paging
/// <c>Link</c> header). Written once here so the three hand-written variants do the same work as each other.
/// </summary>
internal static class Wire
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    private const int TitleMaxLength = 60;

    /// <summary>The reference app's JSON wire format (snake_case, nullability and required parameters enforced).</summary>
    public static void UseReferenceJson(IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => JsonWire.Configure(o.SerializerOptions));

    public static ProblemHttpResult NotFound(string entity, object id) =>
        TypedResults.Problem(detail: string.Create(CultureInfo.InvariantCulture, $"{entity} {id} does not exist"), statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Exhausted(Guid id) =>
        TypedResults.Problem(detail: $"Coupon {id} has no redemptions left", statusCode: StatusCodes.Status409Conflict);

    /// <summary>The reference app's checks of <c>POST /articles</c> (title 1 to 60 characters, no NUL in title or content).</summary>
    public static ProblemHttpResult? Check(ArticleIn input)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (input.Title is null || input.Title.Contains('\0', StringComparison.Ordinal) || input.Title.EnumerateRunes().Count() is < 1 or > TitleMaxLength)
        {
            errors["title"] = [$"title must be 1 to {TitleMaxLength} characters long, without NUL."];
        }

        if (input.Content is null || input.Content.Contains('\0', StringComparison.Ordinal))
        {
            errors["content"] = ["content is required and must not contain the NUL character."];
        }

        return errors.Count == 0 ? null : Validation(errors);
    }

    /// <summary>The page size, or a 422 as the reference app answers.</summary>
    public static ProblemHttpResult? CheckLimit(int? limit) =>
        limit is null or (>= 1 and <= MaxLimit) ? null : Validation(new() { ["limit"] = [$"limit must be between 1 and {MaxLimit}."] });

    /// <summary>Trims the extra row read to know whether a next page exists, and then sets the <c>Link</c> header the reference app sets.</summary>
    public static IReadOnlyList<T> Page<T>(List<T> rows, int limit, Func<T, long> idOf, HttpContext http)
    {
        if (rows.Count <= limit)
        {
            return rows;
        }

        var request = http.Request;
        var query = QueryHelpers.ParseQuery(request.QueryString.Value);
        query["cursor"] = idOf(rows[limit - 1]).ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.Link = $"<{request.PathBase + request.Path + QueryString.Create(query)}>; rel=\"next\"";
        rows.RemoveRange(limit, rows.Count - limit);
        return rows;
    }

    private static ProblemHttpResult Validation(Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status422UnprocessableEntity });
}
