using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace PgKit.AspNetCore.Errors;

/// <summary>Finds the PostgreSQL error in an exception and its inner exceptions (an app may wrap it in its own).</summary>
internal static class PgError
{
    private const int MaxDepth = 8;

    public static bool TryGet(Exception exception, [NotNullWhen(true)] out PostgresException? error)
    {
        var current = exception;
        for (var depth = 0; current is not null && depth < MaxDepth; depth++, current = current.InnerException)
        {
            if (current is PostgresException postgres)
            {
                error = postgres;
                return true;
            }
        }

        error = null;
        return false;
    }

    public static string? SqlStateOf(Exception exception) => TryGet(exception, out var error) ? error.SqlState : null;

    /// <summary>Serialization failure (40001) or deadlock (40P01): running the transaction again may succeed.</summary>
    public static bool IsRetryable(Exception exception) => TryGet(exception, out var error) && error.IsTransactionConflict();

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
