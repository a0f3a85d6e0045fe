using Npgsql;

namespace PgKit;

/// <summary>
/// A source of the open <see cref="NpgsqlConnection"/> that the current unit of work runs on, for example
/// the per-request connection of the ASP.NET Core layer. Every SQL helper in <see cref="PgConnectionExtensions"/>
/// is also callable on a session (<see cref="PgSessionExtensions"/> forwards to it).
/// </summary>
/// <remarks>
/// Implementations own the connection's lifetime: callers must not dispose the connection they receive.
/// When the implementation has begun a transaction on the connection, commands issued on it run inside that transaction.
/// </remarks>
public interface IPgSession
{
    /// <summary>Gets the session's open connection, opening it on first use.</summary>
    /// <param name="cancellationToken">Cancels opening the connection.</param>
    /// <returns>An open connection owned by the session.</returns>
    ValueTask<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken = default);
}
