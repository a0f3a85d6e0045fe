namespace PgKit.Embedded;

/// <summary>
/// Thrown when the embedded PostgreSQL server cannot be prepared, started or reached. The message says what
/// went wrong and, where the server wrote a log, ends with the last lines of it.
/// </summary>
public class PostgresServerException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public PostgresServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying error.</param>
    public PostgresServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
