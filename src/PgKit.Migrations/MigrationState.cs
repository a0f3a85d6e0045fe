namespace PgKit.Migrations;

/// <summary>Where one migration stands, as <see cref="Migrator.StatusAsync"/> reports it.</summary>
public enum MigrationState
{
    /// <summary>Applied, and the file still matches the recorded checksum.</summary>
    Applied,

    /// <summary>Not applied yet.</summary>
    Pending,

    /// <summary>Not applied yet, and numbered below the newest applied migration: refused unless <see cref="MigrationOptions.AllowOutOfOrder"/>.</summary>
    OutOfOrder,

    /// <summary>Applied, but the file's up part changed since.</summary>
    Changed,

    /// <summary>Applied, but its file is gone.</summary>
    Missing,
}
