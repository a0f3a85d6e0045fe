using System.Text.Json.Serialization;

namespace ReferenceApp.Api;

/// <summary>
/// A JSON property that may be absent. PATCH bodies change only the fields they contain, so "left out" and an
/// explicit <c>null</c> must stay apart: <c>{"description": null}</c> clears a description, <c>{}</c> keeps it.
/// </summary>
/// <typeparam name="T">The property's type; make it nullable (<c>string?</c>, <c>bool?</c>) so an explicit null is kept.</typeparam>
[JsonConverter(typeof(OptionalJsonConverterFactory))]
public readonly struct Optional<T>
{
    /// <summary>Creates a present value (possibly <see langword="null"/>).</summary>
    /// <param name="value">The value the body held.</param>
    public Optional(T? value)
    {
        IsSet = true;
        Value = value;
    }

    /// <summary>Gets a value indicating whether the body contained the property (even as <c>null</c>).</summary>
    public bool IsSet { get; }

    /// <summary>Gets the value the body held; <see langword="null"/> for an explicit null, <see langword="default"/> when absent.</summary>
    public T? Value { get; }

    /// <summary>Gets a value indicating whether the body contained the property with an explicit <c>null</c>.</summary>
    public bool IsExplicitNull => IsSet && Value is null;
}
