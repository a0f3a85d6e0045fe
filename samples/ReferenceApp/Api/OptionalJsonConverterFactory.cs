using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReferenceApp.Api;

/// <summary>Reads and writes <see cref="Optional{T}"/>: a property the reader never meets stays unset.</summary>
public sealed class OptionalJsonConverterFactory : JsonConverterFactory
{
    /// <inheritdoc/>
    public override bool CanConvert(Type typeToConvert)
    {
        ArgumentNullException.ThrowIfNull(typeToConvert);
        return typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);
    }

    /// <inheritdoc/>
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(typeToConvert);
        return (JsonConverter)Activator.CreateInstance(typeof(OptionalConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class OptionalConverter<T> : JsonConverter<Optional<T>>
    {
        // Without this the serializer would turn an explicit null into "absent" before we see it.
        public override bool HandleNull => true;

        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                // A null for a value type that cannot hold it (Optional<bool>): the serializer adds the path to this error.
                return default(T) is null ? new Optional<T>(default) : throw new JsonException("A null value is not allowed here.");
            }

            // The inner converter rather than JsonSerializer.Deserialize: its errors then carry the property's path
            // ($.first_name), which is how a wrong type becomes a 422 naming the field.
            var converter = (JsonConverter<T>)options.GetConverter(typeof(T));
            return new Optional<T>(converter.Read(ref reader, typeof(T), options));
        }

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Value, options);
    }
}
