using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PgKit.AspNetCore.Requests;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers 422 ProblemDetails for malformed requests, as FastAPI answers them.</summary>
public static class RequestProblemsServiceCollectionExtensions
{
    /// <summary>
    /// Answers every malformed request with a 422 validation problem (RFC 9457) whose <c>errors</c> name the fields in the
    /// app's JSON naming policy (<c>ConfigureHttpJsonOptions</c>): a body that is not JSON or has a wrong type, a missing
    /// or null required property, a route or query value that does not parse, and a failed data-annotation rule of
    /// .NET's minimal-API validation.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The same service collection.</returns>
    /// <remarks>
    /// <para>
    /// Sets <see cref="RouteHandlerOptions.ThrowOnBadRequest"/> so that binding failures become exceptions, which an
    /// <see cref="IExceptionHandler"/> (and, in Development, a developer-page filter) answers with the 422; other
    /// statuses of <see cref="BadHttpRequestException"/> (413, 415) keep theirs. It needs the exception handler middleware:
    /// <c>AddPostgres</c> puts it first in the pipeline; without <c>AddPostgres</c>, call <c>app.UseExceptionHandler()</c>.
    /// </para>
    /// <para>
    /// Wraps <see cref="IProblemDetailsService"/> so that a 400 <see cref="HttpValidationProblemDetails"/> (what
    /// <c>AddValidation()</c> writes when a <c>[Range]</c> or <c>[MaxLength]</c> fails) is written as a 422 with the same
    /// errors, keyed in the JSON naming policy. This does not turn validation on: call
    /// <c>builder.Services.AddValidation()</c> in the app itself, since its source generator only sees the types of the
    /// assembly that calls it.
    /// </para>
    /// <para>Safe to call more than once. Call it after any registration of your own <see cref="IProblemDetailsService"/>.</para>
    /// </remarks>
    public static IServiceCollection AddRequestProblems(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(RequestProblemsMarker)))
        {
            return services;
        }

        services.AddSingleton<RequestProblemsMarker>();
        services.AddProblemDetails();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.TryAddSingleton<RequestProblemHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, RequestProblemHandler>(sp => sp.GetRequiredService<RequestProblemHandler>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeveloperPageExceptionFilter, RequestProblemHandler>(sp => sp.GetRequiredService<RequestProblemHandler>()));

        // Decorate the registered service (ASP.NET Core's is internal), keeping its lifetime.
        var inner = services.Last(d => d.ServiceType == typeof(IProblemDetailsService) && !d.IsKeyedService);
        services.Remove(inner);
        services.Add(ServiceDescriptor.Describe(
            typeof(IProblemDetailsService),
            sp => ActivatorUtilities.CreateInstance<UnprocessableValidationProblems>(sp, Create(sp, inner)),
            inner.Lifetime));
        return services;
    }

    private static IProblemDetailsService Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IProblemDetailsService)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    /// <summary>Marks the registration as done, so a second call changes nothing.</summary>
    private sealed class RequestProblemsMarker;
}
