namespace PgKit.Migrations;

/// <summary>What <see cref="Migrator.RepairAsync"/> changed in the history.</summary>
/// <param name="Rechecksummed">The versions whose recorded checksum (and name) were replaced by the file's.</param>
/// <param name="Forgotten">The versions removed from the history because their file is gone.</param>
public sealed record MigrationRepairResult(IReadOnlyList<long> Rechecksummed, IReadOnlyList<long> Forgotten);
