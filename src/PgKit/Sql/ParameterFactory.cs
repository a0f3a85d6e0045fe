using System.Collections;
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
            case DateTime { Kind: DateTimeKind.Local }:
                throw new ArgumentException(
                    "A DateTime with Kind=Local cannot be written: PostgreSQL would store it shifted by the difference between this machine's and the server's time zone. " +
                    "Pass a UTC DateTime (ToUniversalTime()) or a DateTimeOffset for timestamptz, or a DateTime of Kind Unspecified for a timestamp without time zone.");
            case IEnumerable list when value is not string and not byte[] && list is Array or IList && ArrayLiteral.NeedsLiteral(list, forColumn):
                // Enum labels (and, for a known column, strings) in a list: a literal PostgreSQL types from its context
                // (see ArrayLiteral). Strings in the user's own SQL stay text[], which unnest($1) and casts need.
                return new NpgsqlParameter { Value = ArrayLiteral.Format(list), NpgsqlDbType = NpgsqlDbType.Unknown };
            case string s when forColumn:
                return new NpgsqlParameter { Value = s, NpgsqlDbType = NpgsqlDbType.Unknown };
            case char c when forColumn:
                return new NpgsqlParameter { Value = c.ToString(), NpgsqlDbType = NpgsqlDbType.Unknown };
            case not null when TypeKinds.IsJsonObject(value.GetType()):
                // An app's own object goes as JSON text of no declared type: a json or jsonb column (or a ::jsonb cast)
                // takes it with no EnableDynamicJson on the data source.
                return new NpgsqlParameter { Value = PgJson.Serialize(value), NpgsqlDbType = NpgsqlDbType.Unknown };
            default:
                return new NpgsqlParameter { Value = Normalize(value) };
        }
    }

    /// <summary>A parameter for a column's value, refusing text PostgreSQL cannot store (the message names the column).</summary>
    public static NpgsqlParameter ForColumn(object? value, string column, string paramName)
    {
        ColumnValues.CheckText(column, value, paramName);
        try
        {
            return Create(value, forColumn: true);
        }
        catch (ArgumentException e) when (e.ParamName is null)
        {
            throw new ArgumentException($"Column {PgIdentifier.Display(column)}: {e.Message}", paramName, e);
        }
    }

    /// <summary>
    /// A parameter for a column's value of a static type: the types of <see cref="IsTypedKind"/> go as typed
    /// parameters (no box), anything else as <see cref="Create"/> does.
    /// </summary>
    public static NpgsqlParameter ForColumn<T>(T value)
    {
        // Each test is a constant for a value-type T, so the JIT keeps only the matching line and no box is made.
        if (typeof(T) == typeof(int))
        {
            return Typed((int)(object)value!);
        }

        if (typeof(T) == typeof(long))
        {
            return Typed((long)(object)value!);
        }

        if (typeof(T) == typeof(Guid))
        {
            return Typed((Guid)(object)value!);
        }

        if (typeof(T) == typeof(short))
        {
            return Typed((short)(object)value!);
        }

        return Create(value, forColumn: true);
    }

    /// <summary>
    /// Whether values of <paramref name="type"/> can go as <see cref="NpgsqlParameter{T}"/>: types whose PostgreSQL type
    /// does not depend on the value (unlike DateTime, whose Kind picks timestamp or timestamptz) and that PgKit does not
    /// convert (unlike enums, chars and DateTimeOffset).
    /// </summary>
    public static bool IsTypedKind(Type type)
        => type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(bool) || type == typeof(double)
            || type == typeof(float) || type == typeof(decimal) || type == typeof(Guid);

    public static NpgsqlParameter Typed<T>(T value)
        where T : struct
        => new NpgsqlParameter<T> { TypedValue = value };

    public static NpgsqlParameter TypedNullable<T>(T? value)
        where T : struct
        => value is { } v ? new NpgsqlParameter<T> { TypedValue = v } : Create(null, forColumn: true);

    /// <summary>Values Npgsql would reject for timestamptz are converted losslessly: a DateTimeOffset goes to UTC.</summary>
    public static object Normalize(object value) => value is DateTimeOffset { Offset.Ticks: not 0 } dto ? dto.ToUniversalTime() : value;
}
