using Npgsql;

namespace PgKit.AspNetCore;

/// <summary>
/// Thrown when a request got no connection within <see cref="PostgresOptions.AcquireTimeout"/> because the pool was
/// exhausted (or the server was too slow to accept a new connection). PgKit answers it with 503 and <c>Retry-After</c>.
/// </summary>
public sealed class PoolExhaustedException : NpgsqlException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="databaseName">The PgKit database name.</param>
    /// <param name="timeout">The acquire timeout that elapsed.</param>
    /// <param name="innerException">The cancellation that ended the wait.</param>
    public PoolExhaustedException(string databaseName, TimeSpan timeout, Exception? innerException)
        : base($"No connection to PostgreSQL database '{databaseName}' became free within {timeout.TotalMilliseconds:0} ms. " +
               "Raise 'Max Pool Size' in the connection string or PostgresOptions.AcquireTimeout, or hold connections for less time.", innerException)
    {
        DatabaseName = databaseName;
        Timeout = timeout;
    }

    /// <summary>Gets the PgKit database name.</summary>
    public string DatabaseName { get; }

    /// <summary>Gets the acquire timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }

    /// <inheritdoc/>
    public override bool IsTransient => true;
}
