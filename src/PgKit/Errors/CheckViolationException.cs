using Npgsql;

namespace PgKit;

/// <summary>A <c>CHECK</c> constraint was violated (SQLSTATE <c>23514</c>).</summary>
public sealed class CheckViolationException : PgKitDbException
{
    internal CheckViolationException(PostgresException inner)
        : base($"Check constraint {Name(inner.ConstraintName)} on table {Name(inner.TableName)} was violated.", inner)
    {
    }
}
