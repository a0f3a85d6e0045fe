using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReferenceApp.Api;

/// <summary>The app's JSON wire format: the seeds' snake_case names, with C# nullability and required parameters enforced.</summary>
public static class JsonWire
{
    /// <summary>Applies the wire format to <paramref name="options"/> (the app's, or a client's in tests and tools).</summary>
    /// <param name="options">The options to change.</param>
    /// <returns>The same options.</returns>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // first_name, author_id, init_count...: a client written for the FastAPI seeds works unchanged.
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;

        // A null for a non-nullable property and a missing constructor parameter fail binding, which
        // AddRequestProblems answers with a 422 naming the field; the OpenAPI schemas say the same.
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;

        // Numbers are JSON numbers: "5" for an integer is a 422, and the schemas say "integer", not "integer or string".
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }
}
