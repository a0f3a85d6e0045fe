using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace PgKit;

/// <summary>Translates PostgreSQL errors into PgKit's typed exceptions; every PgKit helper applies it.</summary>
public static class PgErrors
{
    /// <summary>
    /// Returns the typed exception for <paramref name="error"/>: <see cref="UniqueViolationException"/> (23505),
    /// <see cref="ForeignKeyViolationException"/> (23503), <see cref="NotNullViolationException"/> (23502),
    /// <see cref="CheckViolationException"/> (23514) or <see cref="SerializationFailureException"/> (40001, 40P01);
    /// any other error is returned unchanged.
    /// </summary>
    /// <param name="error">The PostgreSQL error.</param>
    /// <returns>The typed exception, or <paramref name="error"/> itself.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static Exception Translate(PostgresException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return TryTranslate(error, out var typed) ? typed : error;
    }

    internal static bool TryTranslate(PostgresException error, [NotNullWhen(true)] out PgKitDbException? typed)
    {
        typed = error.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => new UniqueViolationException(error),
            PostgresErrorCodes.ForeignKeyViolation => new ForeignKeyViolationException(error),
            PostgresErrorCodes.NotNullViolation => new NotNullViolationException(error),
            PostgresErrorCodes.CheckViolation => new CheckViolationException(error),
            PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected => new SerializationFailureException(error),
            _ => null,
        };
        return typed is not null;
    }
}
