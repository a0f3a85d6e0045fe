using System.Globalization;
using System.Text;
using Npgsql;

namespace PgKit.Sql;

/// <summary>SQL text under construction plus its positional parameters; <c>$n</c> always matches the parameter's index.</summary>
internal sealed class Statement
{
    private readonly StringBuilder sql = new(128);

    public List<NpgsqlParameter> Parameters { get; } = [];

    public string Sql => sql.ToString();

    /// <summary>A statement of the user's raw SQL with the user's positional arguments (<c>$1</c> is <c>args[0]</c>).</summary>
    public static Statement Raw(string sql, IReadOnlyList<object?>? args, string paramName = "sql")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql, paramName);
        var statement = new Statement().Append(sql);
        statement.AddArguments(args);
        return statement;
    }

    public Statement Append(string text)
    {
        sql.Append(text);
        return this;
    }

    public Statement Append(long number)
    {
        sql.Append(number.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public Statement AppendParameter(object? value, bool forColumn)
    {
        Parameters.Add(ParameterFactory.Create(value, forColumn));
        sql.Append('$').Append(Parameters.Count.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>Adds the user's arguments as <c>$1..$n</c>; must run before any generated parameter is added.</summary>
    public void AddArguments(IReadOnlyList<object?>? args)
    {
        if (Parameters.Count != 0)
        {
            throw new InvalidOperationException("User arguments must be the first parameters of a statement.");
        }

        if (args is null)
        {
            return;
        }

        foreach (var arg in args)
        {
            Parameters.Add(ParameterFactory.Create(arg, forColumn: false));
        }
    }

    public Statement AppendColumn(string column) => Append(PgIdentifier.Quote(column, "column"));

    /// <summary>Appends <c> WHERE "a" = $1 AND "b" IS NULL</c> for a where-map (nothing when <paramref name="where"/> is null).</summary>
    public Statement AppendWhere(List<KeyValuePair<string, object?>>? where)
    {
        if (where is null)
        {
            return this;
        }

        sql.Append(" WHERE ");
        for (var i = 0; i < where.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(" AND ");
            }

            AppendColumn(where[i].Key);
            if (where[i].Value is null or DBNull)
            {
                sql.Append(" IS NULL");
            }
            else
            {
                sql.Append(" = ");
                AppendParameter(where[i].Value, forColumn: true);
            }
        }

        return this;
    }

    /// <summary>Adds the where-map's parameters and returns its condition text without appending it, for use in several places.</summary>
    public string WhereFragment(List<KeyValuePair<string, object?>> where)
    {
        var start = sql.Length;
        AppendWhere(where);
        var fragment = sql.ToString(start + " WHERE ".Length, sql.Length - start - " WHERE ".Length);
        sql.Length = start;
        return fragment;
    }

    /// <summary>Appends a raw condition, on lines of its own so a trailing <c>--</c> comment cannot swallow what follows.</summary>
    public Statement AppendCondition(string condition, IReadOnlyList<object?>? args)
    {
        AddArguments(args);
        sql.Append(" WHERE (\n").Append(condition).Append("\n)");
        return this;
    }

    public Statement AppendColumnList(List<KeyValuePair<string, object?>> values)
    {
        sql.Append(" (");
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }

            AppendColumn(values[i].Key);
        }

        sql.Append(')');
        return this;
    }

    public Statement AppendValuesRow(List<KeyValuePair<string, object?>> values)
    {
        sql.Append('(');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }

            AppendParameter(values[i].Value, forColumn: true);
        }

        sql.Append(')');
        return this;
    }

    public Statement AppendPaging(OrderBy? orderBy, int? limit, int? offset)
    {
        if (orderBy is not null)
        {
            sql.Append(" ORDER BY ").Append(orderBy.ToString());
        }

        // Limits are integers written as literals: they cannot carry SQL, and literals keep the plan simple.
        if (limit is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(limit));
            Append(" LIMIT ").Append(l);
        }

        if (offset is { } o)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(o, nameof(offset));
            Append(" OFFSET ").Append(o);
        }

        return this;
    }
}
