using Microsoft.AspNetCore.OpenApi;

namespace ReferenceApp.Api;

/// <summary>The OpenAPI document's settings.</summary>
internal static class OpenApiSetup
{
    public static void Configure(OpenApiOptions options)
    {
        // Optional<T> is inlined at each property (its nullability differs per property), then given T's schema.
        options.CreateSchemaReferenceId = type => OptionalSchemaTransformer.IsOptional(type.Type) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        options.AddSchemaTransformer<OptionalSchemaTransformer>();
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "PgKit reference app";
            document.Info.Description = "The seed tutorials' blog, coupons and items as one ASP.NET Core API on PostgreSQL. " +
                "Every error is an RFC 9457 ProblemDetails; malformed requests are 422 with `errors` keyed by field.";
            return Task.CompletedTask;
        });
    }
}
