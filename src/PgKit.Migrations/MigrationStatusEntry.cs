namespace PgKit.Migrations;

/// <summary>One line of <see cref="MigrationStatus"/>.</summary>
/// <param name="Version">The version.</param>
/// <param name="Name">The name (from the file, or from the history when the file is missing).</param>
/// <param name="State">Where it stands.</param>
/// <param name="AppliedAt">When it was applied, or <see langword="null"/> when it was not.</param>
/// <param name="Duration">How long it took to apply, or <see langword="null"/> when it was not applied.</param>
/// <param name="AppliedBy">Who applied it, or <see langword="null"/> when it was not applied.</param>
public sealed record MigrationStatusEntry(long Version, string Name, MigrationState State, DateTimeOffset? AppliedAt, TimeSpan? Duration, string? AppliedBy);
