using Microsoft.Extensions.Logging;

namespace PgKit.AspNetCore.Diagnostics;

/// <summary>
/// Every log line PgKit.AspNetCore writes. Event ids and names are stable: dashboards and alerts may key on them.
/// No message carries a connection string, a password, a parameter value or row data.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "DataSourceBuilt", Level = LogLevel.Information,
        Message = "PostgreSQL database '{Database}' uses {Host}:{Port}/{DatabaseName} as {Username}, at most {MaxPoolSize} pooled connections.")]
    public static partial void DataSourceBuilt(ILogger logger, string database, string? host, int port, string? databaseName, string? username, int maxPoolSize);

    [LoggerMessage(EventId = 2, EventName = "InitHookStarting", Level = LogLevel.Debug,
        Message = "Running startup hook '{Hook}' on database '{Database}'.")]
    public static partial void InitHookStarting(ILogger logger, string hook, string database);

    [LoggerMessage(EventId = 3, EventName = "InitHookFailed", Level = LogLevel.Critical,
        Message = "Startup hook '{Hook}' on database '{Database}' failed: startup is stopped and the connection pool is disposed.")]
    public static partial void InitHookFailed(ILogger logger, Exception exception, string hook, string database);

    [LoggerMessage(EventId = 4, EventName = "InitHooksCompleted", Level = LogLevel.Information,
        Message = "{Count} startup hook(s) on database '{Database}' completed in {ElapsedMilliseconds} ms.")]
    public static partial void InitHooksCompleted(ILogger logger, int count, string database, long elapsedMilliseconds);

    [LoggerMessage(EventId = 5, EventName = "PoolExhausted", Level = LogLevel.Warning,
        Message = "No connection to database '{Database}' became free within {TimeoutMilliseconds} ms (the pool is exhausted); the request is answered with 503.")]
    public static partial void PoolExhausted(ILogger logger, string database, long timeoutMilliseconds);

    [LoggerMessage(EventId = 6, EventName = "CommitFailed", Level = LogLevel.Warning,
        Message = "COMMIT of the request transaction on database '{Database}' failed (SQLSTATE {SqlState}); the client gets an error, not the handler's result.")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string database, string? sqlState);

    [LoggerMessage(EventId = 7, EventName = "RollbackFailed", Level = LogLevel.Warning,
        Message = "ROLLBACK on database '{Database}' failed; the physical connection is discarded instead of being returned to the pool.")]
    public static partial void RollbackFailed(ILogger logger, Exception exception, string database);

    [LoggerMessage(EventId = 8, EventName = "RetryingTransaction", Level = LogLevel.Information,
        Message = "The request transaction failed with SQLSTATE {SqlState}; running the handler again (retry {Attempt} of {MaxRetries}) in {DelayMilliseconds} ms.")]
    public static partial void RetryingTransaction(ILogger logger, string? sqlState, int attempt, int maxRetries, long delayMilliseconds);

    [LoggerMessage(EventId = 9, EventName = "DatabaseClientError", Level = LogLevel.Information,
        Message = "Database error SQLSTATE {SqlState} (constraint '{Constraint}') answered with status {StatusCode}.")]
    public static partial void DatabaseClientError(ILogger logger, string? sqlState, string? constraint, int statusCode);

    [LoggerMessage(EventId = 10, EventName = "DatabaseServerError", Level = LogLevel.Warning,
        Message = "Database error SQLSTATE {SqlState} answered with status {StatusCode}.")]
    public static partial void DatabaseServerError(ILogger logger, Exception exception, string? sqlState, int statusCode);

    [LoggerMessage(EventId = 11, EventName = "ShutdownWaiting", Level = LogLevel.Information,
        Message = "Waiting up to {TimeoutMilliseconds} ms for {Count} request(s) that hold a connection to database '{Database}'.")]
    public static partial void ShutdownWaiting(ILogger logger, long timeoutMilliseconds, int count, string database);

    [LoggerMessage(EventId = 12, EventName = "ShutdownCancelling", Level = LogLevel.Warning,
        Message = "{Count} request(s) still hold a connection to database '{Database}' after the shutdown timeout; cancelling their queries.")]
    public static partial void ShutdownCancelling(ILogger logger, int count, string database);

    [LoggerMessage(EventId = 13, EventName = "ShutdownCancelFailed", Level = LogLevel.Warning,
        Message = "Cancelling the queries still running on database '{Database}' at shutdown failed; the pool is closed anyway.")]
    public static partial void ShutdownCancelFailed(ILogger logger, Exception exception, string database);

    [LoggerMessage(EventId = 14, EventName = "DataSourceDisposed", Level = LogLevel.Information,
        Message = "PostgreSQL database '{Database}': connection pool closed.")]
    public static partial void DataSourceDisposed(ILogger logger, string database);

    [LoggerMessage(EventId = 15, EventName = "ConnectionStringFromFallback", Level = LogLevel.Information,
        Message = "No connection string is configured for database '{Database}'; using the one supplied by {Source}.")]
    public static partial void ConnectionStringFromFallback(ILogger logger, string database, string source);

    [LoggerMessage(EventId = 16, EventName = "TransactionRolledBackAtRequestEnd", Level = LogLevel.Warning,
        Message = "The request transaction on database '{Database}' was still open when the request ended with status {StatusCode}, and was rolled back. " +
            "It began after the response had started, outside a PgKit filter: take Atomic as a handler parameter or mark the endpoint WithAtomic.")]
    public static partial void TransactionRolledBackAtRequestEnd(ILogger logger, string database, int statusCode);

    [LoggerMessage(EventId = 17, EventName = "ErrorAnswered", Level = LogLevel.Information,
        Message = "{ExceptionType} answered with status {StatusCode}.")]
    public static partial void ErrorAnswered(ILogger logger, string exceptionType, int statusCode);

    [LoggerMessage(EventId = 18, EventName = "DatabaseUnavailable", Level = LogLevel.Warning,
        Message = "{ExceptionType} answered with status {StatusCode}: the database could not serve the request.")]
    public static partial void DatabaseUnavailable(ILogger logger, Exception exception, string exceptionType, int statusCode);

    [LoggerMessage(EventId = 19, EventName = "TransactionDisposeFailed", Level = LogLevel.Warning,
        Message = "Disposing a finished transaction on database '{Database}' failed; the outcome already reported stands, and the connection is returned (or discarded if broken) next.")]
    public static partial void TransactionDisposeFailed(ILogger logger, Exception exception, string database);

    [LoggerMessage(EventId = 20, EventName = "IsolationLevelIgnoredOnPinnedConnection", Level = LogLevel.Warning,
        Message = "An atomic endpoint asks for {IsolationLevel} on database '{Database}', but every request runs on one pinned test connection, " +
            "inside the test's transaction (rollback-per-test mode): the level cannot change there, and no other transaction can run concurrently. " +
            "Serialization failures, retries and races cannot happen in this mode: test them with TestIsolation.DatabasePerClass.")]
    public static partial void IsolationLevelIgnoredOnPinnedConnection(ILogger logger, System.Data.IsolationLevel isolationLevel, string database);

    [LoggerMessage(EventId = 21, EventName = "PrimaryUnreachable", Level = LogLevel.Warning,
        Message = "A request could not use the primary of database '{Database}'; its hosts' roles will be checked again on the next connection (failover).")]
    public static partial void PrimaryUnreachable(ILogger logger, string database);

    [LoggerMessage(EventId = 22, EventName = "StandbyBehind", Level = LogLevel.Debug,
        Message = "The standby of database '{Database}' had not replayed the client's last commit within {WaitMilliseconds} ms; the read runs on the primary.")]
    public static partial void StandbyBehind(ILogger logger, string database, long waitMilliseconds);

    [LoggerMessage(EventId = 23, EventName = "WalPositionFailed", Level = LogLevel.Warning,
        Message = "Reading the WAL position after a commit on database '{Database}' failed; the commit stands, but the client's next standby read may not see it.")]
    public static partial void WalPositionFailed(ILogger logger, Exception exception, string database);
}
