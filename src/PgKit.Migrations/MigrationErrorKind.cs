namespace PgKit.Migrations;

/// <summary>Why a <see cref="MigrationException"/> was thrown.</summary>
public enum MigrationErrorKind
{
    /// <summary>A migration's SQL failed; its transaction was rolled back.</summary>
    Failed,

    /// <summary>An applied migration's file changed since it was applied (escape: <see cref="Migrator.RepairAsync"/>).</summary>
    ChecksumMismatch,

    /// <summary>An applied version has no file any more (escape: <see cref="Migrator.RepairAsync"/>).</summary>
    MissingMigration,

    /// <summary>A pending migration is numbered below the newest applied one (escape: <see cref="MigrationOptions.AllowOutOfOrder"/>).</summary>
    OutOfOrder,

    /// <summary>Another migrator held the lock for longer than <see cref="MigrationOptions.LockWaitTimeout"/>.</summary>
    LockTimeout,

    /// <summary>A migration to roll back has no down part.</summary>
    NoDownPart,

    /// <summary>The source could not be read: a missing folder, a malformed file name or a duplicate version.</summary>
    InvalidSource,
}
