namespace PgKit.Migrations;

/// <summary>A migration an up run would apply, with its SQL.</summary>
/// <param name="Version">The version.</param>
/// <param name="FileName">The file name.</param>
/// <param name="Sql">The up part, exactly as it would be sent.</param>
/// <param name="IsTransactional">Whether it would run in a transaction.</param>
public sealed record PlannedMigration(long Version, string FileName, string Sql, bool IsTransactional);
