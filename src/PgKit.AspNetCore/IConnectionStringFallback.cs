namespace PgKit.AspNetCore;

/// <summary>
/// The seam for the embedded default: asked for a connection string when a database has none configured
/// (no <see cref="PostgresOptions.ConnectionString"/> and no <c>ConnectionStrings:{name}</c>).
/// </summary>
/// <remarks>
/// Nothing registers an implementation by default: a missing connection string is a startup error naming the setting.
/// PgKit.Embedded.AspNetCore's <c>UseEmbeddedServerInDevelopment</c> registers one that starts a private server and
/// returns its connection string. Register an implementation as a singleton; PgKit asks it once per database at start.
/// When several can provide one, the last registration wins.
/// </remarks>
public interface IConnectionStringFallback
{
    /// <summary>Gets whether this fallback can provide a connection string in the current environment.</summary>
    bool CanProvide { get; }

    /// <summary>Gets a short description of where the connection string comes from, for the log (never the string itself).</summary>
    string Source { get; }

    /// <summary>Returns a connection string for <paramref name="databaseName"/>, or <see langword="null"/> to report the missing setting.</summary>
    /// <param name="databaseName">The PgKit database name, for example <c>Postgres</c>.</param>
    /// <param name="cancellationToken">Cancels the work (host startup was cancelled).</param>
    ValueTask<string?> GetConnectionStringAsync(string databaseName, CancellationToken cancellationToken);
}
