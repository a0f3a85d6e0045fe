using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace PgKit.Mapping;

/// <summary>
/// How PgKit turns an app's own objects into json/jsonb values and back: System.Text.Json with its web defaults
/// (camelCase names, case-insensitive reading, numbers as numbers), the same convention as an ASP.NET Core API's bodies.
/// </summary>
/// <remarks>
/// Values arrive as <see cref="object"/> (an argument, a column map's member), so no analyzer can see their types: like
/// Npgsql with a POCO parameter, PgKit decides at run time. Reflection-based System.Text.Json runs only where the app
/// allows it (<see cref="JsonSerializer.IsReflectionEnabledByDefault"/>, which the SDK turns off, and the trimmer then
/// removes this path, in a trimmed or native AOT app); elsewhere the call fails with a message saying what to pass instead.
/// </remarks>
internal static class PgJson
{
    private const string Justification =
        "Reflection-based System.Text.Json runs only when JsonSerializer.IsReflectionEnabledByDefault is true; trimmed and native AOT apps have it "
        + "false by default (the trimmer then removes this branch) and get a NotSupportedException naming the type and what to pass instead.";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    public static string Serialize(object value) => JsonSerializer.IsReflectionEnabledByDefault
        ? JsonSerializer.Serialize(value, value.GetType(), Options)
        : throw new NotSupportedException(
            $"PgKit writes a {value.GetType().Name} as JSON with reflection-based System.Text.Json, which this app has turned off (trimming or native AOT). "
            + "Pass the JSON text instead, made with your JsonSerializerContext: JsonSerializer.Serialize(value, MyContext.Default." + value.GetType().Name + ").");

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
    public static object Deserialize(string json, Type type) => JsonSerializer.IsReflectionEnabledByDefault
        ? JsonSerializer.Deserialize(json, type, Options)
            ?? throw new JsonException($"The JSON value 'null' cannot be read as {type.Name}; make the member nullable.")
        : throw new NotSupportedException(
            $"PgKit reads a {type.Name} from JSON with reflection-based System.Text.Json, which this app has turned off (trimming or native AOT). "
            + "Read the column as a string (or JsonDocument) and deserialize it with your JsonSerializerContext.");
}
