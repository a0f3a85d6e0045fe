using System.Globalization;
using System.Text;
using Npgsql;

namespace PgKit.Sql;

/// <summary>
/// SQL text under construction plus its positional parameters; <c>$n</c> always matches the parameter's index. A
/// statement either holds the parameters themselves (<see cref="Parameters"/>) or, built with <see cref="ForTemplate"/>,
/// records where each value will come from (<see cref="Slots"/>), so its text can be cached and bound again per call.
/// </summary>
internal sealed class Statement
{
    private readonly StringBuilder sql = new(128);
    private readonly List<ParameterSlot>? slots;
    private int count;

    public Statement()
    {
    }

    private Statement(bool template) => slots = template ? [] : null;

    public List<NpgsqlParameter> Parameters { get; } = [];

    public List<ParameterSlot>? Slots => slots;

    public string Sql => sql.ToString();

    /// <summary>A statement whose map values become slots read per call instead of parameters.</summary>
    public static Statement ForTemplate() => new(template: true);

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
        return AppendPlaceholder();
    }

    /// <summary>Appends the placeholder of value <paramref name="i"/> of <paramref name="map"/>, the map's <paramref name="source"/>-th of the call.</summary>
    public Statement AppendValue(in ColumnMap map, int source, int i)
    {
        if (slots is not null)
        {
            slots.Add(new ParameterSlot(map.Member(i), source, map.ParamName));
        }
        else
        {
            Parameters.Add(map.IsCacheable ? map.Member(i).Parameter(map.Source, map.ParamName) : ParameterFactory.Create(map.Value(i), forColumn: true));
        }

        return AppendPlaceholder();
    }

    /// <summary>Adds the user's arguments as <c>$1..$n</c>; must run before any generated parameter is added.</summary>
    public void AddArguments(IReadOnlyList<object?>? args)
    {
        if (count != 0)
        {
            throw new InvalidOperationException("User arguments must be the first parameters of a statement.");
        }

        if (args is null)
        {
            return;
        }

        // A template binds the arguments per call; only their number matters here.
        count = args.Count;
        if (slots is null)
        {
            foreach (var arg in args)
            {
                Parameters.Add(ParameterFactory.Create(arg, forColumn: false));
            }
        }
    }

    public Statement AppendColumn(string column) => Append(PgIdentifier.Quote(column, "column"));

    /// <summary>Appends <c> WHERE "a" = $1 AND "b" IS NULL AND "c" = ANY($2)</c> for a where-map (a list value: <c>= ANY</c>).</summary>
    public Statement AppendWhere(in ColumnMap where, int source)
    {
        sql.Append(" WHERE ");
        for (var i = 0; i < where.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(" AND ");
            }

            AppendColumn(where.Column(i));
            if (where.IsNull(i))
            {
                sql.Append(" IS NULL");
            }
            else if (where.IsList(i))
            {
                // A list means "any of these": an empty list matches no row, as IN () would if SQL allowed it.
                sql.Append(" = ANY(");
                AppendValue(where, source, i);
                sql.Append(')');
            }
            else
            {
                sql.Append(" = ");
                AppendValue(where, source, i);
            }
        }

        return this;
    }

    /// <summary>Adds the where-map's parameters and returns its condition text without appending it, for use in several places.</summary>
    public string WhereFragment(in ColumnMap where)
    {
        var start = sql.Length;
        AppendWhere(where, 0);
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

    public Statement AppendColumnList(in ColumnMap values)
    {
        sql.Append(" (");
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }

            AppendColumn(values.Column(i));
        }

        sql.Append(')');
        return this;
    }

    public Statement AppendValuesRow(in ColumnMap values, int source)
    {
        sql.Append('(');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }

            AppendValue(values, source, i);
        }

        sql.Append(')');
        return this;
    }

    /// <summary>Appends <c>"a" = $1, "b" = $2</c> for a set-map.</summary>
    public Statement AppendAssignments(in ColumnMap set, int source)
    {
        for (var i = 0; i < set.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }

            AppendColumn(set.Column(i)).Append(" = ").AppendValue(set, source, i);
        }

        return this;
    }

    /// <summary>Appends <c>ORDER BY</c> and <c>LIMIT</c>; an offset is appended by the caller (<see cref="AppendOffset"/>), so cached text can leave it out.</summary>
    public Statement AppendOrderAndLimit(OrderBy? orderBy, int? limit)
    {
        if (orderBy is not null)
        {
            sql.Append(" ORDER BY ").Append(orderBy.ToString());
        }

        // Limits are integers written as literals: they cannot carry SQL, and literals keep the plan simple.
        if (limit is { } l)
        {
            Append(" LIMIT ").Append(l);
        }

        return this;
    }

    public Statement AppendOffset(int? offset) => offset is { } o ? Append(" OFFSET ").Append(o) : this;

    private Statement AppendPlaceholder()
    {
        count++;
        sql.Append('$').Append(count.ToString(CultureInfo.InvariantCulture));
        return this;
    }
}

/// <summary>Where a cached statement's parameter comes from: a property of the call's first or second column map.</summary>
internal readonly record struct ParameterSlot(Mapping.MemberColumn Member, int Source, string ParamName);
