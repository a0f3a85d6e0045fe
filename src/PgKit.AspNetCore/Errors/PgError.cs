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

    /// <summary>
    /// Serialization failure (40001), deadlock (40P01), or a prepared statement whose result type a migration changed
    /// (0A000 "cached plan must not change result type", after which Npgsql prepares it again): running the
    /// transaction again may succeed.
    /// </summary>
    public static bool IsRetryable(Exception exception) =>
        TryGet(exception, out var error) && (error.IsTransactionConflict() || IsStalePreparedPlan(error));

    /// <summary>0A000 "cached plan must not change result type" (see PgKit's executor, which retries it outside transactions).</summary>
    public static bool IsStalePreparedPlan(PostgresException error) =>
        error.SqlState == PostgresErrorCodes.FeatureNotSupported
        && (error.Routine == "RevalidateCachedQuery" || error.MessageText.Contains("cached plan", StringComparison.Ordinal));

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
