using Npgsql;

namespace PgKit;

/// <summary>
/// A foreign key constraint was violated (SQLSTATE <c>23503</c>): the referenced row does not exist, or a row that
/// is still referenced was deleted or its key changed.
/// </summary>
public sealed class ForeignKeyViolationException : PgKitDbException
{
    internal ForeignKeyViolationException(PostgresException inner)
        : base($"Foreign key constraint {Name(inner.ConstraintName)} on table {Name(inner.TableName)} was violated.", inner)
    {
    }
}
