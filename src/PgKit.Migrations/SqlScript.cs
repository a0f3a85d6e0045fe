namespace PgKit.Migrations;

/// <summary>
/// Splits a SQL section into statements on top-level semicolons, skipping those inside quotes, dollar quotes and
/// comments, and maps offsets back to lines of the file.
/// </summary>
/// <remarks>
/// Known limit: a <c>BEGIN ATOMIC ... END</c> SQL-function body holds semicolons at top level; write such functions
/// with a dollar-quoted body (<c>AS $$ ... $$</c>) instead.
/// </remarks>
internal static class SqlScript
{
    /// <summary>Returns the statements of <paramref name="sql"/>: their start, length and first significant character.</summary>
    public static IReadOnlyList<SqlStatement> Split(string sql)
    {
        var statements = new List<SqlStatement>();
        var start = 0;
        var significant = -1;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '-' && Next(sql, i) == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
                continue;
            }

            if (c == '/' && Next(sql, i) == '*')
            {
                i = SkipBlockComment(sql, i);
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == ';')
            {
                if (significant >= 0)
                {
                    statements.Add(new SqlStatement(start, i - start, significant));
                }

                start = i + 1;
                significant = -1;
                i++;
                continue;
            }

            if (significant < 0)
            {
                significant = i;
            }

            if (c == '\'')
            {
                var escapes = i > 0 && (sql[i - 1] is 'E' or 'e') && (i < 2 || !IsIdentifierChar(sql[i - 2]));
                i = SkipQuoted(sql, i, '\'', escapes);
            }
            else if (c == '"')
            {
                i = SkipQuoted(sql, i, '"', backslashEscapes: false);
            }
            else if (c == '$' && (i == 0 || !IsIdentifierChar(sql[i - 1])) && TryDollarTag(sql, i, out var tag))
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = close < 0 ? sql.Length : close + tag.Length;
            }
            else if (IsIdentifierChar(c))
            {
                // Consume a whole word so that a '$' inside an identifier (a$b) never opens a dollar quote.
                while (i < sql.Length && (IsIdentifierChar(sql[i]) || sql[i] == '$'))
                {
                    i++;
                }
            }
            else
            {
                i++;
            }
        }

        if (significant >= 0)
        {
            statements.Add(new SqlStatement(start, sql.Length - start, significant));
        }

        return statements;
    }

    /// <summary>The 1-based line of a 0-based offset in <paramref name="text"/>.</summary>
    public static int LineAt(string text, int offset)
    {
        var line = 1;
        var end = Math.Min(offset, text.Length);
        for (var i = 0; i < end; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private static char Next(string sql, int i) => i + 1 < sql.Length ? sql[i + 1] : '\0';

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static int SkipBlockComment(string sql, int i)
    {
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && Next(sql, i) == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && Next(sql, i) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    private static int SkipQuoted(string sql, int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (backslashEscapes && c == '\\')
            {
                i += 2;
                continue;
            }

            if (c == quote)
            {
                if (Next(sql, i) == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return i;
    }

    private static bool TryDollarTag(string sql, int i, out string tag)
    {
        var j = i + 1;
        while (j < sql.Length && sql[j] != '$')
        {
            var c = sql[j];
            var ok = j == i + 1 ? char.IsLetter(c) || c == '_' : IsIdentifierChar(c);
            if (!ok)
            {
                tag = string.Empty;
                return false;
            }

            j++;
        }

        if (j >= sql.Length)
        {
            tag = string.Empty;
            return false;
        }

        tag = sql.Substring(i, j - i + 1);
        return true;
    }
}

/// <summary>One statement of a section: where its text starts, how long it is, and its first non-blank, non-comment character.</summary>
internal readonly record struct SqlStatement(int Start, int Length, int FirstSignificant);
