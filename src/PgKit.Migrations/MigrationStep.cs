namespace PgKit.Migrations;

/// <summary>One migration applied or rolled back by a run.</summary>
/// <param name="Version">The version.</param>
/// <param name="Name">The name.</param>
/// <param name="Duration">How long its SQL took.</param>
public sealed record MigrationStep(long Version, string Name, TimeSpan Duration);
