using System.Diagnostics.CodeAnalysis;
using PgKit.Mapping;
using PgKit.Sql;

namespace PgKit;

/// <summary>
/// SQL helpers on <see cref="Npgsql.NpgsqlConnection"/>: routine statements built from a table name and column maps,
/// and raw SQL with positional parameters (<c>$1</c>, <c>$2</c>, ...).
/// </summary>
/// <remarks>
/// <para>
/// Every table and column name is validated and quoted; every value is sent as a positional parameter, so neither can
/// change a statement's meaning. Column maps (<c>where</c>, <c>values</c>, <c>set</c>) are anonymous objects,
/// records/classes (properties map to snake_case columns, see <see cref="PgNamingAttribute"/>) or
/// <c>IReadOnlyDictionary&lt;string, object?&gt;</c> whose keys are exact column names. In a where-map a
/// <see langword="null"/> value means <c>IS NULL</c>; an empty map is an <see cref="ArgumentException"/>, never invalid SQL.
/// </para>
/// <para>
/// A closed connection is opened for the call and closed again. Commands on a connection with an open transaction run
/// inside it. PostgreSQL errors propagate as Npgsql's own <see cref="Npgsql.PostgresException"/>, unchanged; match the
/// usual ones in exception filters with <see cref="PgErrors"/>.
/// </para>
/// </remarks>
public static partial class PgConnectionExtensions
{
    /// <summary>The row count from which <c>InsertManyAsync</c> uses binary COPY instead of multi-row <c>INSERT ... VALUES</c>.</summary>
    public const int DefaultCopyThreshold = 100;

    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    private static ColumnMap? WhereMap(object? where) => where is null ? null : ColumnMap.ForWhere(where, nameof(where));

    private static string RequireCondition(string condition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(condition);
        return condition;
    }

    // A generated statement filtered by a where-map (or by nothing), for example SELECT * ... WHERE "id" = $1 LIMIT 1.
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    private static SqlCall Where(SqlKind kind, TableName table, object? where, OrderBy? orderBy = null, int? limit = null, int? offset = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        return SqlBuilder.Build(new SqlSpec { Kind = kind, Table = table, First = WhereMap(where), OrderBy = orderBy, Limit = limit, Offset = offset });
    }

    // A generated statement filtered by a raw condition with its arguments.
    private static SqlCall Condition(
        SqlKind kind, TableName table, string condition, IReadOnlyList<object?>? args, OrderBy? orderBy = null, int? limit = null, int? offset = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        return SqlBuilder.Build(new SqlSpec
        {
            Kind = kind, Table = table, Condition = RequireCondition(condition), Args = args, OrderBy = orderBy, Limit = limit, Offset = offset,
        });
    }
}
