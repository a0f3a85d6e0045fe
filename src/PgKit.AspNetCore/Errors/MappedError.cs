using Microsoft.AspNetCore.Mvc;

namespace PgKit.AspNetCore.Errors;

/// <summary>An exception turned into a response: the ProblemDetails body and an optional <c>Retry-After</c>.</summary>
internal sealed record MappedError(ProblemDetails Problem, TimeSpan? RetryAfter, string? SqlState, string? Constraint);
