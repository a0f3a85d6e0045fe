using Microsoft.Extensions.Logging;

namespace PgKit.Migrations;

/// <summary>
/// Every log line the migrator writes. Event ids (1001 to 1010) and names are stable: dashboards and alerts may key
/// on them. No message carries a connection string or SQL text.
/// </summary>
internal static partial class MigrationLog
{
    [LoggerMessage(EventId = 1001, EventName = "MigrationsUpToDate", Level = LogLevel.Debug,
        Message = "The database is up to date at version {Head}; no lock taken.")]
    public static partial void UpToDate(ILogger logger, long? head);

    [LoggerMessage(EventId = 1002, EventName = "MigrationLockWaiting", Level = LogLevel.Information,
        Message = "{Count} migration(s) pending; taking the migration lock (key {LockKey}, waiting at most {TimeoutSeconds} s).")]
    public static partial void LockWaiting(ILogger logger, int count, long lockKey, double timeoutSeconds);

    [LoggerMessage(EventId = 1003, EventName = "MigrationLockAcquired", Level = LogLevel.Debug,
        Message = "Took the migration lock after {ElapsedMs} ms.")]
    public static partial void LockAcquired(ILogger logger, long elapsedMs);

    [LoggerMessage(EventId = 1004, EventName = "MigrationApplied", Level = LogLevel.Information,
        Message = "Applied migration {FileName} in {ElapsedMs} ms.")]
    public static partial void Applied(ILogger logger, string fileName, long elapsedMs);

    [LoggerMessage(EventId = 1005, EventName = "MigrationFailed", Level = LogLevel.Error,
        Message = "Migration {FileName} failed at line {Line}: {Reason}")]
    public static partial void Failed(ILogger logger, Exception exception, string fileName, int line, string reason);

    [LoggerMessage(EventId = 1006, EventName = "MigrationRolledBack", Level = LogLevel.Information,
        Message = "Rolled back migration {FileName} in {ElapsedMs} ms.")]
    public static partial void RolledBack(ILogger logger, string fileName, long elapsedMs);

    [LoggerMessage(EventId = 1007, EventName = "MigrationsAppliedElsewhere", Level = LogLevel.Information,
        Message = "Another migrator applied the pending migrations while this one waited for the lock; nothing to do.")]
    public static partial void AppliedElsewhere(ILogger logger);

    [LoggerMessage(EventId = 1008, EventName = "MigrationPoolCleared", Level = LogLevel.Debug,
        Message = "Cleared the data source's pool and reloaded its types after the schema changed.")]
    public static partial void PoolCleared(ILogger logger);

    [LoggerMessage(EventId = 1009, EventName = "MigrationHistoryRepaired", Level = LogLevel.Warning,
        Message = "Repaired the migration history: {Rechecksummed} checksum(s) re-recorded, {Forgotten} missing version(s) forgotten.")]
    public static partial void Repaired(ILogger logger, int rechecksummed, int forgotten);

    [LoggerMessage(EventId = 1010, EventName = "MigrationOutOfOrderApplied", Level = LogLevel.Warning,
        Message = "Applying {FileName} out of order (below the head {Head}), as AllowOutOfOrder permits.")]
    public static partial void OutOfOrder(ILogger logger, string fileName, long head);
}
