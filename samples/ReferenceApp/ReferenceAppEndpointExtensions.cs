using Microsoft.AspNetCore.Mvc;
using ReferenceApp.Api;
using ReferenceApp.Features.Articles;
using ReferenceApp.Features.Authors;
using ReferenceApp.Features.Coupons;
using ReferenceApp.Features.Health;
using ReferenceApp.Features.Items;

namespace ReferenceApp;

/// <summary>Maps the reference app: health, the OpenAPI document, Swagger UI and every feature's route group.</summary>
public static class ReferenceAppEndpointExtensions
{
    /// <summary>The path of Swagger UI.</summary>
    public const string DocsPath = "/docs";

    /// <summary>The path of the OpenAPI document.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>
    /// The largest request body of the API, in bytes: 1 MiB. The largest valid body, an article of 20,000 characters
    /// all written as JSON escapes (12 bytes for a character outside the BMP), is about 240 KB.
    /// </summary>
    public const long MaxRequestBodySize = 1024 * 1024;

    /// <summary>
    /// Maps <c>/healthz</c>, <c>/livez</c>, <see cref="OpenApiPath"/>, Swagger UI at <see cref="DocsPath"/>, and the
    /// authors, articles, coupons and items groups; answers bodiless errors (unknown route, wrong method) with ProblemDetails.
    /// </summary>
    /// <param name="app">The built application.</param>
    /// <returns>The same application.</returns>
    public static WebApplication MapReferenceApp(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // A 404 for an unknown route or a 405 would otherwise have no body: every error is ProblemDetails.
        app.UseStatusCodePages();

        app.MapHealth();
        app.MapOpenApi();
        // Only requests under /docs go through Swagger UI: its path regex would otherwise run on every API call.
        app.UseWhen(
            static context => context.Request.Path.StartsWithSegments(DocsPath, StringComparison.OrdinalIgnoreCase),
            static docs => docs.UseSwaggerUI(options =>
            {
                options.RoutePrefix = DocsPath.TrimStart('/');
                options.SwaggerEndpoint(OpenApiPath, "v1");
                options.DocumentTitle = "PgKit reference app";
            }));

        // Every feature's ids and numbers in the path and query are parsed strictly (digits only, canonical UUIDs), and
        // its request bodies are bounded: the server refuses a longer one with 413 before reading it into memory.
        var api = app.MapGroup("").WithStrictParameters().WithMetadata(new RequestSizeLimitAttribute(MaxRequestBodySize));
        api.MapAuthors();
        api.MapArticles();
        api.MapCoupons();
        api.MapItems();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var url in app.Urls)
            {
                app.Logger.LogInformation("Reference app ready: API docs at {DocsUrl} (health: /healthz, /livez)", url.TrimEnd('/') + DocsPath);
            }
        });
        return app;
    }
}
