using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace PgKit.AspNetCore.Errors;

/// <summary>
/// Puts <c>UseExceptionHandler()</c> (with PgKit's <see cref="PostgresExceptionHandler"/> among the handlers) at the very
/// start of the pipeline, so database errors become ProblemDetails without a middleware call in Program.cs.
/// </summary>
internal sealed class PostgresStartupFilter(IOptions<PostgresProblemDetailsOptions> options) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (options.Value.UseExceptionHandler)
        {
            app.UseExceptionHandler();
        }

        next(app);
    };
}
