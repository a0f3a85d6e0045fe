using Npgsql;

namespace PgKit;

/// <summary>
/// Matchers for the PostgreSQL errors applications routinely handle, for exception filters:
/// <c>catch (PostgresException e) when (e.IsUniqueViolation("users_email_key"))</c>. PgKit throws server errors as
/// Npgsql's own <see cref="PostgresException"/>, unchanged, so Npgsql's documented pattern
/// (<c>when (e.SqlState == PostgresErrorCodes.UniqueViolation)</c>) works as well; these only name the codes.
/// </summary>
/// <remarks>
/// The error's names are on the exception itself (<see cref="PostgresException.ConstraintName"/>,
/// <see cref="PostgresException.ColumnName"/>, <see cref="PostgresException.TableName"/>); the optional argument of a
/// matcher narrows it to one constraint or column. PgKit.AspNetCore maps errors to ProblemDetails with these same
/// matchers. A deadlock is not a serialization failure: each has its own matcher, and
/// <see cref="IsTransactionConflict(PostgresException)"/> matches both.
/// </remarks>
public static class PgErrors
{
    /// <summary>Tells whether <paramref name="error"/> is a unique or primary key violation (SQLSTATE <c>23505</c>).</summary>
    /// <param name="error">The PostgreSQL error.</param>
    /// <param name="constraintName">When given, only a violation of this constraint matches.</param>
    /// <returns><see langword="true"/> when the error matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static bool IsUniqueViolation(this PostgresException error, string? constraintName = null)
        => Is(error, PostgresErrorCodes.UniqueViolation) && Named(error.ConstraintName, constraintName);

    /// <summary>
    /// Tells whether <paramref name="error"/> is a foreign key violation (SQLSTATE <c>23503</c>): a referenced row does
    /// not exist, or a row still referenced was deleted or had its key changed.
    /// </summary>
    /// <param name="error">The PostgreSQL error.</param>
    /// <param name="constraintName">When given, only a violation of this constraint matches.</param>
    /// <returns><see langword="true"/> when the error matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static bool IsForeignKeyViolation(this PostgresException error, string? constraintName = null)
        => Is(error, PostgresErrorCodes.ForeignKeyViolation) && Named(error.ConstraintName, constraintName);

    /// <summary>Tells whether <paramref name="error"/> is a NULL written to a <c>NOT NULL</c> column (SQLSTATE <c>23502</c>).</summary>
    /// <param name="error">The PostgreSQL error.</param>
    /// <param name="columnName">When given, only a violation on this column matches.</param>
    /// <returns><see langword="true"/> when the error matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static bool IsNotNullViolation(this PostgresException error, string? columnName = null)
        => Is(error, PostgresErrorCodes.NotNullViolation) && Named(error.ColumnName, columnName);

    /// <summary>Tells whether <paramref name="error"/> is a <c>CHECK</c> constraint violation (SQLSTATE <c>23514</c>).</summary>
    /// <param name="error">The PostgreSQL error.</param>
    /// <param name="constraintName">When given, only a violation of this constraint matches.</param>
    /// <returns><see langword="true"/> when the error matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static bool IsCheckViolation(this PostgresException error, string? constraintName = null)
        => Is(error, PostgresErrorCodes.CheckViolation) && Named(error.ConstraintName, constraintName);

    /// <summary>
    /// Tells whether <paramref name="error"/> is a serialization failure (SQLSTATE <c>40001</c>): a <c>REPEATABLE READ</c>
    /// or <c>SERIALIZABLE</c> transaction lost a race with a concurrent one. A deadlock is not one (see <see cref="IsDeadlock"/>).
    /// </summary>
    /// <param name="error">The PostgreSQL error.</param>
    /// <returns><see langword="true"/> when the error matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static bool IsSerializationFailure(this PostgresException error) => Is(error, PostgresErrorCodes.SerializationFailure);

    /// <summary>Tells whether <paramref name="error"/> is a deadlock (SQLSTATE <c>40P01</c>): PostgreSQL chose this transaction to abort.</summary>
    /// <param name="error">The PostgreSQL error.</param>
    /// <returns><see langword="true"/> when the error matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static bool IsDeadlock(this PostgresException error) => Is(error, PostgresErrorCodes.DeadlockDetected);

    /// <summary>
    /// Tells whether <paramref name="error"/> is a serialization failure (<c>40001</c>) or a deadlock (<c>40P01</c>): the
    /// transaction was rolled back because of a concurrent one, and running it again from the start is expected to
    /// succeed. This is what <c>Atomic</c> endpoints retry. Narrower than <see cref="PostgresException.IsTransient"/>,
    /// which also covers errors (out of memory, too many connections...) that a retry of the same request may not cure.
    /// </summary>
    /// <param name="error">The PostgreSQL error.</param>
    /// <returns><see langword="true"/> when the error matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static bool IsTransactionConflict(this PostgresException error) => error.IsSerializationFailure() || error.IsDeadlock();

    private static bool Is(PostgresException error, string sqlState)
    {
        ArgumentNullException.ThrowIfNull(error);
        return string.Equals(error.SqlState, sqlState, StringComparison.Ordinal);
    }

    // Identifiers are exact (PgKit quotes them), so names compare ordinally.
    private static bool Named(string? actual, string? wanted) => wanted is null || string.Equals(actual, wanted, StringComparison.Ordinal);
}
