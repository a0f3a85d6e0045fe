using System.Text;

namespace PgKit.Embedded.Internal;

/// <summary>Quotes database names for the few statements PgKit.Embedded issues itself.</summary>
internal static class Identifier
{
    public static string Quote(string name, string parameterName)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('\0', StringComparison.Ordinal) || Encoding.UTF8.GetByteCount(name) > 63)
        {
            throw new ArgumentException($"'{name}' is not a valid database name: it must be 1 to 63 bytes long and have no NUL character.", parameterName);
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
