namespace PgKit.Migrations;

/// <summary>
/// A migration run was refused or failed. The message is one sentence that names the file (and, for SQL errors,
/// the line) and says what to do; <see cref="Kind"/> tells the cases apart.
/// </summary>
public sealed class MigrationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">Why it was thrown.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The error behind it, for example a <see cref="Npgsql.PostgresException"/>.</param>
    public MigrationException(MigrationErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Gets why the exception was thrown.</summary>
    public MigrationErrorKind Kind { get; }

    /// <summary>Gets the file of the failing migration, when one failed.</summary>
    public string? FileName { get; init; }

    /// <summary>Gets the 1-based line in <see cref="FileName"/> of the failing statement, when a statement failed.</summary>
    public int? Line { get; init; }
}
