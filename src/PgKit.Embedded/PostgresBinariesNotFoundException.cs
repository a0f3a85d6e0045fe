namespace PgKit.Embedded;

/// <summary>
/// Thrown when no PostgreSQL server binaries (<c>initdb</c>, <c>pg_ctl</c>, <c>postgres</c>) can be found.
/// The message lists every place searched and how to install PostgreSQL or point <c>PGKIT_PG_BIN</c> at it.
/// </summary>
public sealed class PostgresBinariesNotFoundException : PostgresServerException
{
    /// <summary>Creates the exception from the places that were searched.</summary>
    /// <param name="searched">Each place searched, in order, with why it did not qualify.</param>
    public PostgresBinariesNotFoundException(IReadOnlyList<string> searched)
        : base(BuildMessage(searched))
    {
        Searched = searched;
    }

    /// <summary>Gets every place that was searched, in order, with why it did not qualify.</summary>
    public IReadOnlyList<string> Searched { get; }

    private static string BuildMessage(IReadOnlyList<string> searched) =>
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found. Searched:" + Environment.NewLine
        + string.Join(Environment.NewLine, searched.Select(s => "  - " + s)) + Environment.NewLine
        + "Install PostgreSQL (Debian/Ubuntu: 'apt-get install postgresql'; macOS: 'brew install postgresql'), "
        + "or set PGKIT_PG_BIN to the folder that holds initdb and pg_ctl.";
}
