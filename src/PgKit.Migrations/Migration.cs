using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PgKit.Migrations;

/// <summary>
/// One numbered SQL migration: an up part and an optional down part, read from a file such as
/// <c>0001_create_author.sql</c>.
/// </summary>
/// <remarks>
/// <para>
/// A line holding only <c>-- migrate:down</c> splits the file: everything above is the up part, everything below
/// the down part. A first line holding only <c>-- pgkit:no-transaction</c> runs both parts outside a transaction,
/// statement by statement (for <c>CREATE INDEX CONCURRENTLY</c>).
/// </para>
/// <para>
/// The checksum is the SHA-256 of the up part with line endings normalized to <c>\n</c>, so a checkout with
/// CRLF line endings does not count as a change, and editing the down part does not either.
/// </para>
/// </remarks>
public sealed partial class Migration
{
    /// <summary>The line that starts the down part.</summary>
    public const string DownMarker = "-- migrate:down";

    /// <summary>The first line that makes a migration run outside a transaction.</summary>
    public const string NoTransactionMarker = "-- pgkit:no-transaction";

    private readonly string _text;
    private readonly int _downOffset;

    private Migration(long version, string name, string fileName, string source, string text)
    {
        Version = version;
        FileName = fileName;
        Name = name;
        Source = source;
        _text = text;

        var down = FindMarkerLine(text, DownMarker);
        if (down is { } marker)
        {
            UpSql = text[..marker.Start];
            _downOffset = marker.End;
            var downText = text[marker.End..];
            DownSql = SqlScript.Split(downText).Count == 0 ? null : downText;
        }
        else
        {
            UpSql = text;
            _downOffset = text.Length;
        }

        var firstLine = text.AsSpan(0, text.IndexOf('\n') is var nl and >= 0 ? nl : text.Length).Trim();
        IsTransactional = !firstLine.Equals(NoTransactionMarker, StringComparison.OrdinalIgnoreCase);
        Checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(UpSql)));
        UpStatements = SqlScript.Split(UpSql);
        DownStatements = DownSql is null ? [] : SqlScript.Split(DownSql);
    }

    /// <summary>Gets the version: the number the file name starts with.</summary>
    public long Version { get; }

    /// <summary>Gets the name: the file name after the number, without <c>.sql</c>, for example <c>create_author</c>.</summary>
    public string Name { get; }

    /// <summary>Gets where the migration came from (a file path or a resource name), for messages.</summary>
    public string Source { get; }

    /// <summary>Gets the file name the migration is known by in messages, for example <c>0001_create_author.sql</c>.</summary>
    public string FileName { get; }

    /// <summary>Gets the up part: the SQL that applies the migration.</summary>
    public string UpSql { get; }

    /// <summary>Gets the down part, or <see langword="null"/> when the file has no <c>-- migrate:down</c> section or it holds no statement.</summary>
    public string? DownSql { get; }

    /// <summary>Gets whether the migration runs in a transaction (it does unless its first line is <c>-- pgkit:no-transaction</c>).</summary>
    public bool IsTransactional { get; }

    /// <summary>Gets the lowercase hex SHA-256 of the up part, as recorded in the history table.</summary>
    public string Checksum { get; }

    internal IReadOnlyList<SqlStatement> UpStatements { get; }

    internal IReadOnlyList<SqlStatement> DownStatements { get; }

    /// <summary>Creates a migration from the text of a migration file, for sources other than folders and resources.</summary>
    /// <param name="fileName">The file name, <c>NNNN_name.sql</c>: the number is the version.</param>
    /// <param name="text">The file's text, with an optional <c>-- migrate:down</c> section.</param>
    /// <returns>The migration.</returns>
    /// <exception cref="ArgumentException">The file name does not follow the <c>NNNN_name.sql</c> pattern.</exception>
    public static Migration FromText(string fileName, string text) => FromText(fileName, text, fileName);

    /// <summary>Creates a migration from code: a version, a name and the text of its SQL (same format as a file).</summary>
    /// <param name="version">The version, a positive number.</param>
    /// <param name="name">The name, for example <c>create_author</c>.</param>
    /// <param name="text">The SQL, with an optional <c>-- migrate:down</c> section.</param>
    /// <returns>The migration.</returns>
    /// <exception cref="ArgumentException">The version is not positive or the name is empty.</exception>
    public static Migration Create(long version, string name, string text)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(text);
        return new Migration(version, name, FormatFileName(version, name), FormatFileName(version, name), Normalize(text));
    }

    /// <summary>Formats a migration file name from a version and a name, for example <c>0007_add_index.sql</c>.</summary>
    /// <param name="version">The version.</param>
    /// <param name="name">The snake_case name.</param>
    /// <returns>The file name.</returns>
    public static string FormatFileName(long version, string name) =>
        version.ToString("D4", CultureInfo.InvariantCulture) + "_" + name + ".sql";

    /// <summary>Tells whether a file name follows the <c>NNNN_name.sql</c> pattern, and parses it.</summary>
    /// <param name="fileName">The file name, without folders.</param>
    /// <param name="version">The version, when the name matches.</param>
    /// <param name="name">The name part, when the name matches.</param>
    /// <returns><see langword="true"/> when the file name is a migration's.</returns>
    public static bool TryParseFileName(string fileName, out long version, out string name)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var match = FileNamePattern().Match(fileName);
        if (match.Success && long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0)
        {
            name = match.Groups[2].Value;
            return true;
        }

        version = 0;
        name = string.Empty;
        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => FileName;

    internal static Migration FromText(string fileName, string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParseFileName(fileName, out var version, out var name))
        {
            throw new ArgumentException(
                $"'{fileName}' is not a migration file name: use NNNN_name.sql, a positive number, an underscore and a name, for example 0001_create_author.sql.",
                nameof(fileName));
        }

        return new Migration(version, name, fileName, source, Normalize(text));
    }

    /// <summary>The 1-based line in the file of a 0-based offset in the up or down part.</summary>
    internal int LineOf(bool down, int offsetInPart) => SqlScript.LineAt(_text, (down ? _downOffset : 0) + offsetInPart);

    private static string Normalize(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return text.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    // The line holding only the marker (case-insensitive, surrounding blanks allowed): its start, and the start of the next line.
    private static (int Start, int End)? FindMarkerLine(string text, string marker)
    {
        var start = 0;
        while (start <= text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline;
            if (text.AsSpan(start, end - start).Trim().Equals(marker, StringComparison.OrdinalIgnoreCase))
            {
                return (start, newline < 0 ? text.Length : newline + 1);
            }

            if (newline < 0)
            {
                break;
            }

            start = newline + 1;
        }

        return null;
    }

    [GeneratedRegex(@"^(\d+)_([A-Za-z0-9_\-]+)\.sql$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex FileNamePattern();
}
