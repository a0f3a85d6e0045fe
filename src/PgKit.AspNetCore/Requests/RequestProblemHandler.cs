using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace PgKit.AspNetCore.Requests;

/// <summary>
/// Turns minimal-API binding failures (bad JSON, a wrong type, a missing or null required field, a malformed route
/// or query value) into a 422 validation problem naming the field in the app's JSON naming policy. ASP.NET Core
/// answers these with a bare 400 by default; <c>RouteHandlerOptions.ThrowOnBadRequest</c> makes them exceptions,
/// which land here. Other statuses of <see cref="BadHttpRequestException"/> (415, 413) keep their status.
/// </summary>
/// <remarks>
/// Also a developer-page filter: in Development the developer exception page sits inside the exception handler
/// and would render these as its own 400, so the same answer is given there.
/// </remarks>
internal sealed partial class RequestProblemHandler(IProblemDetailsService problemDetails, IOptions<HttpJsonOptions> jsonOptions)
    : IExceptionHandler, IDeveloperPageExceptionFilter
{
    /// <summary>The field named when the body as a whole is missing or unreadable.</summary>
    internal const string BodyField = "body";

    private readonly JsonNamingPolicy? _naming = jsonOptions.Value.SerializerOptions.PropertyNamingPolicy;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken) =>
        exception is BadHttpRequestException bad && await WriteAsync(httpContext, bad).ConfigureAwait(false);

    public async Task HandleExceptionAsync(ErrorContext errorContext, Func<ErrorContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(errorContext);
        ArgumentNullException.ThrowIfNull(next);
        if (errorContext.Exception is not BadHttpRequestException bad || !await WriteAsync(errorContext.HttpContext, bad).ConfigureAwait(false))
        {
            await next(errorContext).ConfigureAwait(false);
        }
    }

    private async Task<bool> WriteAsync(HttpContext httpContext, BadHttpRequestException exception)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        var status = exception.StatusCode == StatusCodes.Status400BadRequest ? StatusCodes.Status422UnprocessableEntity : exception.StatusCode;
        var problem = status == StatusCodes.Status422UnprocessableEntity
            ? new HttpValidationProblemDetails(ErrorsOf(exception)) { Status = status }
            : new ProblemDetails { Status = status, Detail = exception.Message };
        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception })
            .ConfigureAwait(false);
    }

    /// <summary>The field errors a binding failure stands for, keyed by the field's wire name.</summary>
    internal Dictionary<string, string[]> ErrorsOf(BadHttpRequestException exception)
    {
        if (FindJsonException(exception) is { } json)
        {
            return JsonErrors(json);
        }

        var message = exception.Message;
        if (BindFailure().Match(message) is { Success: true } bind)
        {
            var field = Name(bind.Groups["name"].Value);
            return One(field, $"{field} must be {Describe(bind.Groups["type"].Value)}; '{bind.Groups["value"].Value}' is not.");
        }

        if (MissingParameter().Match(message) is { Success: true } missing)
        {
            return missing.Groups["source"].Value == "body"
                ? One(BodyField, "A JSON body is required.")
                : One(Name(missing.Groups["name"].Value), "This value is required.");
        }

        return One(BodyField, "The request could not be read.");
    }

    private string Name(string parameterName) => _naming?.ConvertName(parameterName) ?? parameterName;

    private static Dictionary<string, string[]> JsonErrors(JsonException json)
    {
        // Missing required properties: reported at the object's path, with the names (already in the wire's naming) in the message.
        if (MissingProperties().Match(json.Message) is { Success: true } missing)
        {
            return Quoted().Matches(missing.Groups["names"].Value)
                .Select(m => m.Groups["name"].Value)
                .Distinct(StringComparer.Ordinal)
                .ToDictionary(name => name, name => new[] { $"{name} is required." }, StringComparer.Ordinal);
        }

        // System.Text.Json's path is written in the wire's names already: $.author_id, $.tags[2].
        var path = json.Path;
        var field = string.IsNullOrEmpty(path) || path == "$" ? BodyField : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        if (field == BodyField)
        {
            return One(BodyField, "The body is not valid JSON.");
        }

        if (json.Message.Contains("null value", StringComparison.OrdinalIgnoreCase))
        {
            return One(field, $"{field} must not be null.");
        }

        // A wrong token for the property's type (a number for a string, null or "yes" for a boolean...).
        return ConversionFailure().Match(json.Message) is { Success: true } conversion
            ? One(field, $"{field} must be {Describe(conversion.Groups["type"].Value)}.")
            : One(field, $"{field} is not valid JSON of the expected type.");
    }

    private static JsonException? FindJsonException(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    private static Dictionary<string, string[]> One(string field, string message) => new(StringComparer.Ordinal) { [field] = [message] };

    // Type names as ASP.NET Core ("long", "Nullable<int>", "Guid") and System.Text.Json ("System.Int64") print them.
    private static string Describe(string typeName)
    {
        var name = typeName.TrimEnd('?');
        if (name.StartsWith("Nullable<", StringComparison.Ordinal))
        {
            name = name["Nullable<".Length..].TrimEnd('>');
        }
        else if (name.StartsWith("System.Nullable`1[", StringComparison.Ordinal))
        {
            name = name["System.Nullable`1[".Length..].TrimEnd(']');
        }

        return name[(name.LastIndexOf('.') + 1)..] switch
        {
            "int" or "long" or "short" or "Int16" or "Int32" or "Int64" => "an integer",
            "decimal" or "double" or "float" or "Decimal" or "Double" or "Single" => "a number",
            "Guid" => "a UUID",
            "bool" or "Boolean" => "true or false",
            "string" or "String" => "a string",
            "DateTime" or "DateTimeOffset" => "a date and time",
            "DateOnly" => "a date",
            _ => "a valid value",
        };
    }

    // ASP.NET Core's wording for route, query and header values: Failed to bind parameter "long id" from "abc".
    [GeneratedRegex("""^Failed to bind parameter "(?<type>[^"]+) (?<name>[^" ]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex BindFailure();

    // Required parameter "AuthorIn input" was not provided from body. / ... from query string.
    [GeneratedRegex("""^Required parameter "(?<type>[^"]+) (?<name>[^" ]+)" was not provided from (?<source>[a-z ]+)\.$""")]
    private static partial Regex MissingParameter();

    // System.Text.Json: "JSON deserialization for type 'X' was missing required properties including: 'a', 'b'."
    [GeneratedRegex("missing required properties including: (?<names>.*)$", RegexOptions.Singleline)]
    private static partial Regex MissingProperties();

    // System.Text.Json: "The JSON value could not be converted to System.Boolean. Path: ..." (or System.Nullable`1[System.Int32])
    [GeneratedRegex(@"could not be converted to (?<type>[\w.`\[\]]+?)\.(\s|$)")]
    private static partial Regex ConversionFailure();

    [GeneratedRegex("'(?<name>[^']+)'")]
    private static partial Regex Quoted();
}
