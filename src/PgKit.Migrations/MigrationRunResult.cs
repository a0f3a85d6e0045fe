namespace PgKit.Migrations;

/// <summary>What an up or down run did.</summary>
/// <param name="Steps">The migrations applied (up) or rolled back (down), in the order they ran; empty when there was nothing to do.</param>
/// <param name="Head">The newest applied version after the run, or <see langword="null"/> when none is applied.</param>
public sealed record MigrationRunResult(IReadOnlyList<MigrationStep> Steps, long? Head)
{
    /// <summary>Gets whether the run changed the database.</summary>
    public bool Changed => Steps.Count > 0;
}
