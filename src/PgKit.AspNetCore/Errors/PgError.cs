using Npgsql;

namespace PgKit.AspNetCore.Errors;

/// <summary>Finds the PostgreSQL error in an exception and its inner exceptions.</summary>
internal static class PgError
{
    private const int MaxDepth = 8;

    public static bool TryGet(Exception exception, out PgErrorInfo info)
    {
        var current = exception;
        for (var depth = 0; current is not null && depth < MaxDepth; depth++, current = current.InnerException)
        {
            switch (current)
            {
                case PgKitDbException typed when typed.SqlState is not null:
                    info = new PgErrorInfo(typed.SqlState, typed.ConstraintName, typed.ColumnName, typed.TableName, typed.PostgresError);
                    return true;
                case PostgresException postgres:
                    info = new PgErrorInfo(postgres.SqlState, postgres.ConstraintName, postgres.ColumnName, postgres.TableName, postgres);
                    return true;
            }
        }

        info = default;
        return false;
    }

    public static string? SqlStateOf(Exception exception) => TryGet(exception, out var info) ? info.SqlState : null;

    /// <summary>Serialization failure (40001) or deadlock (40P01): running the transaction again may succeed.</summary>
    public static bool IsRetryable(Exception exception) =>
        SqlStateOf(exception) is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    /// <summary>Finds an Npgsql exception without SQLSTATE (network failure, connect timeout) in the chain.</summary>
    public static NpgsqlException? FindConnectionFailure(Exception exception)
    {
        var current = exception;
        for (var depth = 0; current is not null && depth < MaxDepth; depth++, current = current.InnerException)
        {
            if (current is NpgsqlException npgsql and not PostgresException && string.IsNullOrEmpty(npgsql.SqlState))
            {
                return npgsql;
            }
        }

        return null;
    }
}
