using Microsoft.AspNetCore.Http.HttpResults;

namespace ReferenceApp.Api;

/// <summary>
/// The one shape of a 422 in this app, for bad bodies and parameters and for rule violations alike:
/// a ValidationProblem (RFC 9457) whose <c>errors</c> are keyed by the snake_case field name, as the seeds' clients expect.
/// </summary>
internal static class ValidationProblems
{
    public static HttpValidationProblemDetails Create(IDictionary<string, string[]> errors) =>
        new(errors) { Status = StatusCodes.Status422UnprocessableEntity };

    public static ProblemHttpResult Result(IDictionary<string, string[]> errors) => TypedResults.Problem(Create(errors));
}
