using System.Globalization;
using Npgsql;

namespace PgKit.Sql;

/// <summary>
/// One statement to run: its text and where its parameters come from (the user's arguments, a built
/// <see cref="Statement"/>, or the properties of the call's column maps for a cached template). Parameters are
/// created only when the command is bound, straight into the command's own collection.
/// </summary>
internal readonly struct SqlCall
{
    private readonly Statement? statement;
    private readonly ParameterSlot[]? slots;
    private readonly IReadOnlyList<object?>? args;
    private readonly object? first;
    private readonly object? second;
    private readonly NpgsqlParameter? single;

    private SqlCall(
        string text, Statement? statement, ParameterSlot[]? slots, IReadOnlyList<object?>? args, object? first, object? second, NpgsqlParameter? single = null)
    {
        this.single = single;
        Text = text;
        this.statement = statement;
        this.slots = slots;
        this.args = args;
        this.first = first;
        this.second = second;
    }

    public string Text { get; }

    /// <summary>The user's SQL, sent as written, with the user's positional arguments (<c>$1</c> is <c>args[0]</c>).</summary>
    public static SqlCall Raw(string sql, IReadOnlyList<object?>? args, string paramName = "sql")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql, paramName);
        return new SqlCall(sql, null, null, args, null, null);
    }

    /// <summary>A fixed text whose one parameter, <c>$1</c>, is a key compared with its column.</summary>
    public static SqlCall Key<TKey>(string sql, TKey key) => new(sql, null, null, null, null, null, ParameterFactory.ForColumn(key));

    public static SqlCall From(Statement statement) => new(statement.Sql, statement, null, null, null, null);

    public static SqlCall From(SqlTemplate template, string text, IReadOnlyList<object?>? args, object? first, object? second)
        => new(text, null, template.Slots, args, first, second);

    /// <summary>
    /// A command of <paramref name="connection"/> with this text and parameters. It comes from
    /// <see cref="NpgsqlConnection.CreateCommand"/>, which hands back the connection's recycled command when it is free,
    /// so disposing it promptly matters. Bad values (text with NUL) throw here, before anything is sent.
    /// </summary>
    public NpgsqlCommand CreateCommand(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        try
        {
            command.CommandText = Text;
            AddParameters(command.Parameters);
            return command;
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    public void AddParameters(NpgsqlParameterCollection parameters)
    {
        if (single is not null)
        {
            parameters.Add(single);
            return;
        }

        if (statement is not null)
        {
            foreach (var parameter in statement.Parameters)
            {
                parameters.Add(parameter);
            }

            return;
        }

        if (args is not null)
        {
            for (var i = 0; i < args.Count; i++)
            {
                parameters.Add(ParameterFactory.Create(args[i], forColumn: false));
            }
        }

        if (slots is not null)
        {
            foreach (var slot in slots)
            {
                parameters.Add(slot.Member.Parameter(slot.Source == 0 ? first! : second!, slot.ParamName));
            }
        }
    }
}

/// <summary>A statement's cached text and the property each generated parameter is read from.</summary>
internal sealed class SqlTemplate(string sql, ParameterSlot[] slots)
{
    public string Sql { get; } = sql;

    public ParameterSlot[] Slots { get; } = slots;
}

/// <summary>The statements the table helpers generate.</summary>
internal enum SqlKind : byte
{
    Select,
    Count,
    Exists,
    Insert,
    Update,
    Delete,
    DeleteReturning,
}

/// <summary>
/// Everything a generated statement's text depends on. Column maps enter through their CLR type and NULL mask only: two
/// calls with maps of the same type and the same NULL properties get the same text, whatever the values.
/// </summary>
internal readonly record struct SqlKey(
    SqlKind Kind, string Table, Type? First, ulong FirstNulls, Type? Second, ulong SecondNulls, string? Condition, string? OrderBy, int Limit);

/// <summary>
/// A generated statement's inputs: the table, up to two column maps (<see cref="SqlKind.Update"/>: set then where; the
/// others: where or values), or a raw condition with its arguments, and ordering and paging.
/// </summary>
internal readonly struct SqlSpec
{
    public SqlKind Kind { get; init; }

    public TableName Table { get; init; }

    public ColumnMap? First { get; init; }

    public ColumnMap? Second { get; init; }

    public string? Condition { get; init; }

    public IReadOnlyList<object?>? Args { get; init; }

    public OrderBy? OrderBy { get; init; }

    public int? Limit { get; init; }

    public int? Offset { get; init; }
}

/// <summary>
/// Builds the table helpers' statements. The text of a statement whose maps are objects (not dictionaries) is built once
/// per <see cref="SqlKey"/> and cached; later calls only read the properties into parameters.
/// </summary>
internal static class SqlBuilder
{
    /// <summary>
    /// The most texts kept. Past it, texts not used lately make room (see <see cref="BoundedCache{TKey, TValue}"/>): a
    /// program generating conditions must not stop every other statement from being cached.
    /// </summary>
    public const int Capacity = 4096;

    private static readonly BoundedCache<SqlKey, SqlTemplate> Templates = new(Capacity);

    internal static int CachedCount => Templates.Count;

    public static SqlCall Build(in SqlSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec.Table);
        if (spec.Limit is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(limit, "limit");
        }

        if (spec.Offset is { } offset)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(offset, "offset");
        }

        if (spec.First is { IsCacheable: false } || spec.Second is { IsCacheable: false })
        {
            var statement = new Statement();
            Write(statement, spec);
            statement.AppendOffset(spec.Offset);
            return SqlCall.From(statement);
        }

        var key = new SqlKey(
            spec.Kind,
            spec.Table.Sql,
            spec.First?.Type,
            spec.First?.Nulls ?? 0,
            spec.Second?.Type,
            spec.Second?.Nulls ?? 0,
            spec.Condition,
            spec.OrderBy?.ToString(),
            spec.Limit ?? -1);
        if (!Templates.TryGet(key, out var template))
        {
            var statement = Statement.ForTemplate();
            Write(statement, spec);
            template = new SqlTemplate(statement.Sql, [.. statement.Slots!]);
            Templates.Add(key, template);
        }

        // The offset changes from page to page: appended per call so one text serves every page.
        var text = spec.Offset is { } o ? string.Concat(template.Sql, " OFFSET ", o.ToString(CultureInfo.InvariantCulture)) : template.Sql;
        return SqlCall.From(template, text, spec.Args, spec.First?.Source, spec.Second?.Source);
    }

    private static void Write(Statement statement, in SqlSpec spec)
    {
        var table = spec.Table.Sql;
        switch (spec.Kind)
        {
            case SqlKind.Select:
                statement.Append("SELECT * FROM ").Append(table);
                WriteFilter(statement, spec);
                statement.AppendOrderAndLimit(spec.OrderBy, spec.Limit);
                break;
            case SqlKind.Count:
                statement.Append("SELECT count(*) FROM ").Append(table);
                WriteFilter(statement, spec);
                break;
            case SqlKind.Exists:
                statement.Append("SELECT EXISTS (SELECT 1 FROM ").Append(table);
                WriteFilter(statement, spec);
                statement.Append(")");
                break;
            case SqlKind.Insert:
                var values = spec.First!.Value;
                statement.Append("INSERT INTO ").Append(table).AppendColumnList(values).Append(" VALUES ").AppendValuesRow(values, 0).Append(" RETURNING *");
                break;
            case SqlKind.Update:
                statement.Append("UPDATE ").Append(table).Append(" SET ").AppendAssignments(spec.First!.Value, 0)
                    .AppendWhere(spec.Second!.Value, 1).Append(" RETURNING *");
                break;
            default:
                statement.Append("DELETE FROM ").Append(table).AppendWhere(spec.First!.Value, 0);
                if (spec.Kind == SqlKind.DeleteReturning)
                {
                    statement.Append(" RETURNING *");
                }

                break;
        }
    }

    private static void WriteFilter(Statement statement, in SqlSpec spec)
    {
        if (spec.Condition is not null)
        {
            statement.AppendCondition(spec.Condition, spec.Args);
        }
        else if (spec.First is { } where)
        {
            statement.AppendWhere(where, 0);
        }
    }
}
