using Npgsql;
using NpgsqlTypes;
using PgKit.Mapping;

namespace PgKit.Sql;

/// <summary>Creates positional parameters (no <c>ParameterName</c>, so Npgsql sends the SQL untouched).</summary>
internal static class ParameterFactory
{
    /// <summary>
    /// A parameter for a value. With <paramref name="forColumn"/> (values compared with or assigned to a known column)
    /// strings, chars and enum labels are sent with the <c>unknown</c> type so PostgreSQL converts them to the column's
    /// own type: text, varchar, json, jsonb, a PostgreSQL enum, citext, inet... all accept them without a cast.
    /// </summary>
    public static NpgsqlParameter Create(object? value, bool forColumn)
    {
        switch (value)
        {
            case null or DBNull:
                // Untyped NULL: PostgreSQL infers the type from the context (the column, or the cast in the user's SQL).
                return new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown };
            case Enum e:
                return new NpgsqlParameter { Value = EnumLabels.ToLabel(e), NpgsqlDbType = NpgsqlDbType.Unknown };
            case string s when forColumn:
                return new NpgsqlParameter { Value = s, NpgsqlDbType = NpgsqlDbType.Unknown };
            case char c when forColumn:
                return new NpgsqlParameter { Value = c.ToString(), NpgsqlDbType = NpgsqlDbType.Unknown };
            default:
                return new NpgsqlParameter { Value = Normalize(value) };
        }
    }

    /// <summary>Values Npgsql would reject for timestamptz are converted losslessly: a DateTimeOffset goes to UTC.</summary>
    public static object Normalize(object value) => value is DateTimeOffset { Offset.Ticks: not 0 } dto ? dto.ToUniversalTime() : value;
}
