using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ReferenceApp.Api;

/// <summary>Collects the rule violations of one request body, each under its snake_case field name.</summary>
internal sealed class Validator
{
    private Dictionary<string, string[]>? _errors;

    /// <summary>Gets the 422 to answer, or <see langword="null"/> when the body broke no rule.</summary>
    public ProblemHttpResult? Problem => _errors is null ? null : ValidationProblems.Result(_errors);

    /// <summary>
    /// A required name, title or code: 1 to <paramref name="maxLength"/> characters, counted as PostgreSQL's char_length
    /// does, with at least one that is not white space.
    /// </summary>
    public Validator Text(string field, string? value, int maxLength)
    {
        // Binding already refuses a missing or null field under JsonWire's options; this covers other options.
        if (value is null)
        {
            return Add(field, $"{field} is required and must not be null.");
        }

        return OptionalText(field, value, maxLength);
    }

    /// <summary>A name, title or code that may be null; when present, as <see cref="Text"/> requires.</summary>
    public Validator OptionalText(string field, string? value, int maxLength)
    {
        if (value is null || !CheckLength(field, value, minLength: 1, maxLength))
        {
            return this;
        }

        // Inner and surrounding spaces are kept as sent ("Jean Luc"); a value of nothing but white space is no name.
        return string.IsNullOrWhiteSpace(value) ? Add(field, $"{field} must contain a character other than white space.") : this;
    }

    /// <summary>A free text (content, description) that may be null or empty; when present, at most <paramref name="maxLength"/> characters.</summary>
    public Validator LongText(string field, string? value, int maxLength)
    {
        if (value is not null)
        {
            CheckLength(field, value, minLength: 0, maxLength);
        }

        return this;
    }

    /// <summary>Adds the error of a value with U+0000 or a length outside the bounds; returns whether it had neither.</summary>
    private bool CheckLength(string field, string value, int minLength, int maxLength)
    {
        // Code points, not UTF-16 units: that is what char_length counts in the table's CHECK. (The body limit,
        // ReferenceAppEndpointExtensions.MaxRequestBodySize, keeps the count short.)
        var length = value.EnumerateRunes().Count();
        if (length < minLength || length > maxLength)
        {
            var range = minLength == 0
                ? string.Create(CultureInfo.InvariantCulture, $"at most {maxLength}")
                : string.Create(CultureInfo.InvariantCulture, $"{minLength} to {maxLength}");
            Add(field, string.Create(CultureInfo.InvariantCulture, $"{field} must be {range} characters long (it has {length})."));
            return false;
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            // PostgreSQL text cannot hold U+0000; refusing it here keeps it from becoming a 500.
            Add(field, $"{field} must not contain the NUL character.");
            return false;
        }

        return true;
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
