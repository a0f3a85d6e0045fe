using Npgsql;

namespace PgKit;

/// <summary>A unique or primary key constraint was violated (SQLSTATE <c>23505</c>).</summary>
public sealed class UniqueViolationException : PgKitDbException
{
    internal UniqueViolationException(PostgresException inner)
        : base($"Duplicate key violates unique constraint {Name(inner.ConstraintName)} on table {Name(inner.TableName)}.", inner)
    {
    }
}
