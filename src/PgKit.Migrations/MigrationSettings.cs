using Microsoft.Extensions.Logging;

namespace PgKit.Migrations;

/// <summary>The validated, frozen copy of <see cref="MigrationOptions"/> a <see cref="Migrator"/> reads.</summary>
internal sealed record MigrationSettings(
    MigrationSource Source,
    TimeSpan LockWaitTimeout,
    TimeSpan? LockTimeout,
    TimeSpan? StatementTimeout,
    bool AllowOutOfOrder,
    TableName Table,
    long LockKey,
    string AppliedBy,
    ILogger? Logger);
