using Npgsql;

namespace PgKit;

/// <summary>
/// The transaction lost a race with a concurrent one: a serialization failure (SQLSTATE <c>40001</c>) or a deadlock
/// (<c>40P01</c>). The transaction was rolled back; running it again from the start is expected to succeed.
/// </summary>
public sealed class SerializationFailureException : PgKitDbException
{
    internal SerializationFailureException(PostgresException inner)
        : base(
            inner.SqlState == PostgresErrorCodes.DeadlockDetected
                ? "Deadlock detected; the transaction was rolled back and can be retried."
                : "Could not serialize access due to a concurrent transaction; the transaction was rolled back and can be retried.",
            inner)
    {
    }

    /// <summary>Gets a value indicating whether the failure was a deadlock (<c>40P01</c>) rather than a serialization failure (<c>40001</c>).</summary>
    public bool IsDeadlock => SqlState == PostgresErrorCodes.DeadlockDetected;

    /// <summary>Gets <see langword="true"/>: retrying the whole transaction is the expected remedy.</summary>
    public override bool IsTransient => true;
}
