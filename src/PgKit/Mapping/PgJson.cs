using System.Text.Json;

namespace PgKit.Mapping;

/// <summary>
/// How PgKit turns an app's own objects into json/jsonb values and back: System.Text.Json with its web defaults
/// (camelCase names, case-insensitive reading, numbers as numbers), the same convention as an ASP.NET Core API's bodies.
/// </summary>
internal static class PgJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), Options);

    public static object Deserialize(string json, Type type) =>
        JsonSerializer.Deserialize(json, type, Options)
        ?? throw new JsonException($"The JSON value 'null' cannot be read as {type.Name}; make the member nullable.");
}
