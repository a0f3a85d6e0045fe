namespace PgKit.Migrations;

/// <summary>Every known migration and where it stands, ordered by version.</summary>
/// <param name="Entries">The migrations, from the files and from the history, ordered by version.</param>
public sealed record MigrationStatus(IReadOnlyList<MigrationStatusEntry> Entries)
{
    /// <summary>Gets the newest applied version, or <see langword="null"/> when none is applied.</summary>
    public long? Head => Entries.LastOrDefault(e => e.State is MigrationState.Applied or MigrationState.Changed or MigrationState.Missing)?.Version;

    /// <summary>Gets whether anything is waiting to be applied.</summary>
    public bool HasPending => Entries.Any(e => e.State is MigrationState.Pending or MigrationState.OutOfOrder);

    /// <summary>Gets whether the history and the files disagree (a changed, missing or out-of-order migration).</summary>
    public bool HasProblems => Entries.Any(e => e.State is MigrationState.Changed or MigrationState.Missing or MigrationState.OutOfOrder);
}
