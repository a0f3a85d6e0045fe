using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace PgKit.Testing.AspNetCore;

/// <summary>An HTTP response read in full, with its body deserialized on demand with the app's JSON options.</summary>
public sealed class ApiResponse
{
    private readonly JsonSerializerOptions _jsonOptions;

    internal ApiResponse(HttpMethod method, string uri, HttpResponseMessage response, string body, JsonSerializerOptions jsonOptions)
    {
        Method = method;
        Uri = uri;
        StatusCode = response.StatusCode;
        Headers = response.Headers;
        ContentType = response.Content.Headers.ContentType?.MediaType;
        Body = body;
        _jsonOptions = jsonOptions;
    }

    /// <summary>Gets the request method.</summary>
    public HttpMethod Method { get; }

    /// <summary>Gets the request URI.</summary>
    public string Uri { get; }

    /// <summary>Gets the status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Gets the status code as a number.</summary>
    public int Status => (int)StatusCode;

    /// <summary>Gets the response headers (<c>Location</c>, <c>Retry-After</c>, ...).</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>Gets the media type of the body (<c>application/json</c>, <c>application/problem+json</c>), or null.</summary>
    public string? ContentType { get; }

    /// <summary>Gets the raw body.</summary>
    public string Body { get; }

    /// <summary>Deserializes the body with the app's JSON options.</summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The body is not JSON of that shape; the message shows the status and body.</exception>
    public T Json<T>()
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Body, _jsonOptions)
                   ?? throw new InvalidOperationException($"{this}: the body is JSON null, expected {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{this}: the body is not a {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads the body as RFC 9457 problem details (validation <c>errors</c>, when present, are in <see cref="ValidationProblemDetails.Errors"/>).</summary>
    /// <returns>The problem details.</returns>
    public ValidationProblemDetails Problem() => Json<ValidationProblemDetails>();

    /// <summary>Throws unless the status is the expected one; the message carries the body, so a failing test shows why.</summary>
    /// <param name="expected">The expected status.</param>
    /// <returns>This response.</returns>
    public ApiResponse ShouldBe(HttpStatusCode expected) => StatusCode == expected
        ? this
        : throw new HttpRequestException($"Expected {(int)expected} {expected}, got {this}", inner: null, StatusCode);

    /// <summary>Describes the exchange: method, URI, status and the start of the body.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"{Method} {Uri} -> {Status} {StatusCode}: {(Body.Length > 2000 ? Body[..2000] + "..." : Body)}";
}
