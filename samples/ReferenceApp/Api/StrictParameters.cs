using System.Reflection;
using Microsoft.AspNetCore.Mvc;

namespace ReferenceApp.Api;

/// <summary>
/// Makes the route and query values bound to integer and UUID parameters strict: ASP.NET Core binds them with
/// <c>long.TryParse</c> and <c>Guid.TryParse</c>, which accept <c>+1</c>, <c> 1 </c> (<c>%201</c>), <c>-0</c>, a UUID
/// padded with spaces, in braces or without hyphens. Here an integer is digits only and a UUID is its canonical
/// 8-4-4-4-12 hexadecimal text (either case); anything else is the same 422 naming the field as a value that does not
/// parse at all.
/// </summary>
/// <remarks>
/// An endpoint filter, so the framework's binding (and its 422 for <c>abc</c> or an overflow) stays as it is: the filter
/// only looks again at the raw text of the values that did bind. What to check is read from the handler's parameters
/// once, when the endpoint is built; a handler without such parameters gets no filter at all.
/// </remarks>
internal static class StrictParameters
{
    /// <summary>Adds the strict check to every endpoint of <paramref name="builder"/> (a group, or one endpoint).</summary>
    public static TBuilder WithStrictParameters<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory(Create);

    private static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var checks = new List<Check>();
        foreach (var parameter in context.MethodInfo.GetParameters())
        {
            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                foreach (var property in parameter.ParameterType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    AddCheck(checks, property.PropertyType, property.Name, property);
                }
            }
            else if (parameter.Name is { } name)
            {
                AddCheck(checks, parameter.ParameterType, name, parameter);
            }
        }

        if (checks.Count == 0)
        {
            return next;
        }

        var all = checks.ToArray();
        return invocation =>
        {
            var request = invocation.HttpContext.Request;
            Dictionary<string, string[]>? errors = null;
            foreach (var check in all)
            {
                if (request.RouteValues.TryGetValue(check.Name, out var routeValue))
                {
                    if (routeValue is string text && !check.IsValid(text))
                    {
                        (errors ??= new(StringComparer.Ordinal))[check.Name] = [check.Message(text)];
                    }
                }
                else if (check.FromQuery && request.Query.TryGetValue(check.Name, out var values))
                {
                    foreach (var value in values)
                    {
                        // An empty value binds as absent (null), as before; only text that was parsed is checked.
                        if (!string.IsNullOrEmpty(value) && !check.IsValid(value))
                        {
                            (errors ??= new(StringComparer.Ordinal))[check.Name] = [check.Message(value)];
                            break;
                        }
                    }
                }
            }

            return errors is null ? next(invocation) : ValueTask.FromResult<object?>(ValidationProblems.Result(errors));
        };
    }

    private static void AddCheck(List<Check> checks, Type type, string name, ICustomAttributeProvider source)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        Kind kind;
        if (underlying == typeof(long) || underlying == typeof(int) || underlying == typeof(short))
        {
            kind = Kind.Integer;
        }
        else if (underlying == typeof(Guid))
        {
            kind = Kind.Uuid;
        }
        else
        {
            return;
        }

        var attributes = source.GetCustomAttributes(inherit: true);
        if (attributes.Any(a => a is FromBodyAttribute or FromServicesAttribute or FromHeaderAttribute or FromFormAttribute))
        {
            return;
        }

        var fromRoute = attributes.OfType<FromRouteAttribute>().FirstOrDefault();
        var fromQuery = attributes.OfType<FromQueryAttribute>().FirstOrDefault();
        checks.Add(new Check(fromRoute?.Name ?? fromQuery?.Name ?? name, kind, FromQuery: fromRoute is null));
    }

    private enum Kind
    {
        Integer,
        Uuid,
    }

    /// <summary>One parameter to check: its wire name (route parameter or query key) and what its text must look like.</summary>
    private sealed record Check(string Name, Kind Kind, bool FromQuery)
    {
        public bool IsValid(string text) => Kind == Kind.Integer ? IsDigits(text) : IsCanonicalUuid(text);

        public string Message(string text) => Kind == Kind.Integer
            ? $"{Name} must be an integer written with digits only; '{text}' is not."
            : $"{Name} must be a UUID in its canonical form, 8-4-4-4-12 hexadecimal digits; '{text}' is not.";
    }

    private static bool IsDigits(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsCanonicalUuid(string text)
    {
        if (text.Length != 36)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var valid = i is 8 or 13 or 18 or 23 ? text[i] == '-' : char.IsAsciiHexDigit(text[i]);
            if (!valid)
            {
                return false;
            }
        }

        return true;
    }
}
