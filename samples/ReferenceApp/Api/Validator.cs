using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ReferenceApp.Api;

/// <summary>Collects the rule violations of one request body, each under its snake_case field name.</summary>
internal sealed class Validator
{
    private Dictionary<string, string[]>? _errors;

    /// <summary>Gets the 422 to answer, or <see langword="null"/> when the body broke no rule.</summary>
    public ProblemHttpResult? Problem => _errors is null ? null : ValidationProblems.Result(_errors);

    /// <summary>A required text of 1 to <paramref name="maxLength"/> characters, counted as PostgreSQL's char_length does.</summary>
    public Validator Text(string field, string? value, int maxLength)
    {
        // Binding already refuses a missing or null field under JsonWire's options; this covers other options.
        if (value is null)
        {
            return Add(field, $"{field} is required and must not be null.");
        }

        return OptionalText(field, value, maxLength);
    }

    /// <summary>A text that may be null; when present, 1 to <paramref name="maxLength"/> characters.</summary>
    public Validator OptionalText(string field, string? value, int maxLength)
    {
        if (value is null)
        {
            return this;
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            // PostgreSQL text cannot hold U+0000; refusing it here keeps it from becoming a 500.
            return Add(field, $"{field} must not contain the NUL character.");
        }

        // Code points, not UTF-16 units: that is what char_length counts in the table's CHECK.
        var length = value.EnumerateRunes().Count();
        return length < 1 || length > maxLength
            ? Add(field, string.Create(CultureInfo.InvariantCulture, $"{field} must be 1 to {maxLength} characters long (it has {length})."))
            : this;
    }

    /// <summary>A PATCH field of a non-null column: absent is fine, an explicit null is not.</summary>
    public Validator NotNull<T>(string field, Optional<T> value) =>
        value.IsExplicitNull ? Add(field, $"{field} must not be null.") : this;

    /// <summary>Any other rule.</summary>
    public Validator Require(bool condition, string field, string message) => condition ? this : Add(field, message);

    private Validator Add(string field, string message)
    {
        _errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }
}
