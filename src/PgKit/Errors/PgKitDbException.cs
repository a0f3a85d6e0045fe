using System.Data.Common;
using Npgsql;

namespace PgKit;

/// <summary>
/// Base class of the typed exceptions PgKit throws for PostgreSQL errors that applications routinely handle
/// (constraint violations, serialization failures). The original <see cref="PostgresException"/> is the
/// <see cref="Exception.InnerException"/>.
/// </summary>
/// <remarks>
/// Messages name the constraint, table and column but never contain row values: PostgreSQL's <c>DETAIL</c> field
/// (which does, for example <c>Key (email)=(ann@example.com) already exists</c>) stays on the inner exception only.
/// </remarks>
public abstract class PgKitDbException : DbException
{
    /// <summary>Creates the exception from the PostgreSQL error it stands for.</summary>
    /// <param name="message">A message without row values.</param>
    /// <param name="inner">The PostgreSQL error.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is <see langword="null"/>.</exception>
    protected PgKitDbException(string message, PostgresException inner)
        : base(message, inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        PostgresError = inner;
    }

    /// <summary>Gets the five-character SQLSTATE code, for example <c>23505</c>.</summary>
    public override string? SqlState => PostgresError.SqlState;

    /// <summary>Gets the name of the violated constraint, when PostgreSQL reports one.</summary>
    public string? ConstraintName => PostgresError.ConstraintName;

    /// <summary>Gets the name of the table involved, when PostgreSQL reports one.</summary>
    public string? TableName => PostgresError.TableName;

    /// <summary>Gets the name of the column involved, when PostgreSQL reports one.</summary>
    public string? ColumnName => PostgresError.ColumnName;

    /// <summary>Gets the name of the schema of the table involved, when PostgreSQL reports one.</summary>
    public string? SchemaName => PostgresError.SchemaName;

    /// <summary>Gets the PostgreSQL error (also the <see cref="Exception.InnerException"/>).</summary>
    public PostgresException PostgresError { get; }

    // Renders a name from the error fields for a message; names are identifiers, never row data.
    internal static string Name(string? name) => name is null ? "(unknown)" : "\"" + name + "\"";
}
