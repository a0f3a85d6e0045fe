using System.Globalization;
using System.Text;

namespace PgKit;

/// <summary>
/// Validates and quotes PostgreSQL identifiers (table, schema and column names). PgKit quotes every identifier it puts
/// into SQL, so no name, whatever its source, can change the meaning of a statement.
/// </summary>
/// <remarks>
/// Quoting follows PostgreSQL's rules: the name is wrapped in double quotes and each embedded double quote is doubled.
/// Quoted names are case-sensitive and taken literally: <c>Authors</c> and <c>authors</c> are different tables.
/// </remarks>
public static class PgIdentifier
{
    /// <summary>The longest identifier PostgreSQL keeps, in UTF-8 bytes (<c>NAMEDATALEN - 1</c>).</summary>
    /// <remarks>PostgreSQL silently truncates longer names, which could make a statement address another object, so PgKit rejects them.</remarks>
    public const int MaxByteLength = 63;

    /// <summary>Validates <paramref name="name"/> and returns it as a quoted identifier, for example <c>"order"</c>.</summary>
    /// <param name="name">The identifier, exactly as it is spelled in the catalog.</param>
    /// <returns>The quoted identifier, safe to paste into SQL.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, contains a NUL character or is longer than 63 bytes in UTF-8.</exception>
    public static string Quote(string name) => Quote(name, nameof(name));

    internal static string Quote(string name, string paramName)
    {
        Validate(name, paramName);
        return string.Concat("\"", name.Replace("\"", "\"\"", StringComparison.Ordinal), "\"");
    }

    internal static void Validate(string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (name.Length == 0)
        {
            throw new ArgumentException("A PostgreSQL identifier cannot be empty.", paramName);
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The PostgreSQL identifier {Display(name)} contains a NUL character, which PostgreSQL does not allow.", paramName);
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxByteLength)
        {
            throw new ArgumentException(
                $"The PostgreSQL identifier {Display(name)} is {bytes.ToString(CultureInfo.InvariantCulture)} bytes long in UTF-8; "
                + $"PostgreSQL would silently truncate it to {MaxByteLength.ToString(CultureInfo.InvariantCulture)} bytes.",
                paramName);
        }
    }

    // Renders a name for an error message: quoted, with control characters escaped so the message stays readable.
    internal static string Display(string name)
    {
        var sb = new StringBuilder(name.Length + 2).Append('\'');
        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('\'').ToString();
    }

    // A name that PostgreSQL would accept unquoted (ASCII letters, digits, underscores, not starting with a digit).
    // Only such names are split on a dot when a string becomes a TableName, so a dot inside an unusual name never splits it.
    internal static bool IsSimple(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
