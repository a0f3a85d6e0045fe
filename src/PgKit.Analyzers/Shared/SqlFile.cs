using System.Security.Cryptography;
using System.Text;

namespace PgKit.Analyzers;

/// <summary>
/// <c>pgkit-sql.json</c>: what PostgreSQL said about each checked statement of a project, written by
/// <c>pgkit sql prepare</c> and read by the analyzer. Statements are keyed by <see cref="KeyOf"/> of their text.
/// </summary>
internal sealed class SqlFile
{
    public const string FileName = "pgkit-sql.json";

    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    /// <summary>Gets or sets the hash of the migrations the statements were described against.</summary>
    public string Migrations { get; set; } = string.Empty;

    public SortedDictionary<string, SqlEntry> Statements { get; } = new(StringComparer.Ordinal);

    /// <summary>The key of a statement: the first 16 hex digits of the SHA-256 of its UTF-8 text.</summary>
    public static string KeyOf(string sql)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(sql));
        var builder = new StringBuilder(16);
        for (var i = 0; i < 8; i++)
        {
            builder.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>Reads the file; throws <see cref="FormatException"/> when it is not one.</summary>
    public static SqlFile Parse(string json)
    {
        var root = MiniJson.Parse(json) as Dictionary<string, object?> ?? throw new FormatException("pgkit-sql.json: the root is not an object.");
        var file = new SqlFile
        {
            Format = root.TryGetValue("format", out var format) && format is double f ? (int)f : 0,
            Migrations = root.TryGetValue("migrations", out var migrations) ? migrations as string ?? string.Empty : string.Empty,
        };
        if (root.TryGetValue("statements", out var statements) && statements is Dictionary<string, object?> map)
        {
            foreach (var pair in map)
            {
                if (pair.Value is Dictionary<string, object?> entry)
                {
                    file.Statements[pair.Key] = SqlEntry.From(entry);
                }
            }
        }

        return file;
    }
}

/// <summary>One described statement.</summary>
internal sealed class SqlEntry
{
    public string Sql { get; set; } = string.Empty;

    /// <summary>Gets or sets the server's reason not to check the statement (several statements in one string), if any.</summary>
    public string? Skipped { get; set; }

    public SqlError? Error { get; set; }

    /// <summary>Gets the types of <c>$1..$n</c> as PostgreSQL inferred them.</summary>
    public List<string> Parameters { get; } = [];

    public List<SqlColumn> Columns { get; } = [];

    /// <summary>Gets, per list of argument types the code sends (comma-separated), PostgreSQL's error for them, or <see langword="null"/> when it accepts them.</summary>
    public SortedDictionary<string, SqlError?> Arguments { get; } = new(StringComparer.Ordinal);

    internal static SqlEntry From(Dictionary<string, object?> json)
    {
        var entry = new SqlEntry
        {
            Sql = json.TryGetValue("sql", out var sql) ? sql as string ?? string.Empty : string.Empty,
            Skipped = json.TryGetValue("skipped", out var skipped) ? skipped as string : null,
            Error = json.TryGetValue("error", out var error) ? SqlError.From(error) : null,
        };
        if (json.TryGetValue("parameters", out var parameters) && parameters is List<object?> list)
        {
            entry.Parameters.AddRange(list.OfType<string>());
        }

        if (json.TryGetValue("columns", out var columns) && columns is List<object?> columnList)
        {
            foreach (var column in columnList.OfType<Dictionary<string, object?>>())
            {
                entry.Columns.Add(new SqlColumn
                {
                    Name = column.TryGetValue("name", out var name) ? name as string ?? string.Empty : string.Empty,
                    Type = column.TryGetValue("type", out var type) ? type as string ?? string.Empty : string.Empty,
                    Table = column.TryGetValue("table", out var table) ? table as string : null,
                    Nullable = column.TryGetValue("nullable", out var nullable) ? nullable as bool? : null,
                });
            }
        }

        if (json.TryGetValue("arguments", out var arguments) && arguments is Dictionary<string, object?> argumentMap)
        {
            foreach (var pair in argumentMap)
            {
                entry.Arguments[pair.Key] = SqlError.From(pair.Value);
            }
        }

        return entry;
    }
}

/// <summary>A result column: its name, type (as <c>format_type</c> writes it), table and whether it can be NULL (<see langword="null"/>: not known).</summary>
internal sealed class SqlColumn
{
    public string Name { get; set; } = string.Empty;

    public string Type { get; set; } = string.Empty;

    public string? Table { get; set; }

    public bool? Nullable { get; set; }
}

/// <summary>PostgreSQL's refusal: SQLSTATE and message.</summary>
internal sealed class SqlError
{
    public string SqlState { get; set; } = string.Empty;

    public string Message { get; set; } = string.Empty;

    internal static SqlError? From(object? json) => json is Dictionary<string, object?> map
        ? new SqlError
        {
            SqlState = map.TryGetValue("sqlstate", out var state) ? state as string ?? string.Empty : string.Empty,
            Message = map.TryGetValue("message", out var message) ? message as string ?? string.Empty : string.Empty,
        }
        : null;
}
