using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;

namespace PgKit.AspNetCore.Transactions;

/// <summary>Reads the status code a handler's result will produce, before the result is executed.</summary>
internal static class ResultStatus
{
    /// <summary>For a minimal-API result: the result's own status code, else the status the handler set on the response (200 by default).</summary>
    public static int Of(object? result, HttpContext httpContext)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return result is IStatusCodeHttpResult { StatusCode: int statusCode } ? statusCode : httpContext.Response.StatusCode;
    }

    /// <summary>For an MVC action result: the result's status code (or its ProblemDetails' status), else the response's status.</summary>
    public static int Of(IActionResult? result, HttpContext httpContext) => result switch
    {
        IStatusCodeActionResult { StatusCode: int statusCode } => statusCode,
        ObjectResult { Value: ProblemDetails { Status: int statusCode } } => statusCode,
        IStatusCodeHttpResult { StatusCode: int statusCode } => statusCode,
        _ => httpContext.Response.StatusCode,
    };
}
