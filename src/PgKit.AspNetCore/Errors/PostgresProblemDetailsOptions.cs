using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace PgKit.AspNetCore;

/// <summary>How PostgreSQL errors, pool exhaustion and <see cref="NotFoundException"/> become RFC 9457 ProblemDetails responses.</summary>
public sealed class PostgresProblemDetailsOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether error bodies include the server's message, detail, hint, the SQL text
    /// and the stack trace. These can contain row values, so they are for development only.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: details are included in the Development environment only.</value>
    public bool? IncludeErrorDetails { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether PgKit adds <c>UseExceptionHandler()</c> at the start of the pipeline
    /// (through an <c>IStartupFilter</c>), so that mapped errors become ProblemDetails without any middleware call in
    /// Program.cs. Exceptions PgKit does not map then become a plain 500 ProblemDetails.
    /// </summary>
    /// <value>The default value is <see langword="true"/>. Set it to <see langword="false"/> when you call <c>app.UseExceptionHandler()</c> yourself.</value>
    public bool UseExceptionHandler { get; set; } = true;

    /// <summary>Gets or sets the <c>Retry-After</c> value sent with 503 (pool exhausted, database unavailable) and retryable 409 answers.</summary>
    /// <value>The default value is 1 second; it is sent in whole seconds, at least 1.</value>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets a mapping that runs before the built-in one. Return a <see cref="ProblemDetails"/> (its
    /// <see cref="ProblemDetails.Status"/> is the response status, 500 when unset) to answer, or <see langword="null"/>
    /// to fall back to the built-in mapping.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<HttpContext, Exception, ProblemDetails?>? MapException { get; set; }
}
