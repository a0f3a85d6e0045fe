using System.Text.Json;

namespace ReferenceApp.Api;

/// <summary>
/// Gives ProblemDetails extensions the wire's snake_case names. ASP.NET Core already writes <c>trace_id</c> under the
/// app's naming policy, but extensions added by name (PgKit's <c>sqlState</c>, <c>databaseMessage</c>) keep theirs.
/// </summary>
internal static class ProblemDetailsNaming
{
    public static void ToSnakeCase(ProblemDetailsContext context)
    {
        var extensions = context.ProblemDetails.Extensions;
        foreach (var key in extensions.Keys.ToList())
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(key);
            if (name != key && !extensions.ContainsKey(name))
            {
                extensions[name] = extensions[key];
                extensions.Remove(key);
            }
        }
    }
}
