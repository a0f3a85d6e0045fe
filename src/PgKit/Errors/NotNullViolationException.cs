using Npgsql;

namespace PgKit;

/// <summary>A NULL was written to a <c>NOT NULL</c> column (SQLSTATE <c>23502</c>).</summary>
public sealed class NotNullViolationException : PgKitDbException
{
    internal NotNullViolationException(PostgresException inner)
        : base($"Column {Name(inner.ColumnName)} of table {Name(inner.TableName)} does not allow null.", inner)
    {
    }
}
