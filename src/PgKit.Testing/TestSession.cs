using Npgsql;

namespace PgKit.Testing;

/// <summary>
/// A test's own connection to its database, for setting up rows and checking what the app wrote, with every PgKit SQL
/// helper (<see cref="IPgSession"/>). In rollback mode it is the class's single connection, taken for the session's
/// lifetime (requests of the app wait meanwhile): dispose it, with <c>await using</c>, before calling the app.
/// </summary>
public sealed class TestSession : IPgSession, IAsyncDisposable
{
    private readonly Func<ValueTask> _end;
    private bool _disposed;

    /// <summary>Wraps an open connection as a session; PgKit.Testing.AspNetCore makes them for its app factory.</summary>
    /// <param name="connection">The open connection the session uses.</param>
    /// <param name="end">What disposing the session does: return the connection to its owner.</param>
    public TestSession(NpgsqlConnection connection, Func<ValueTask> end)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(end);
        Connection = connection;
        _end = end;
    }

    /// <summary>Gets the open connection; do not dispose it (dispose the session).</summary>
    public NpgsqlConnection Connection { get; }

    /// <inheritdoc/>
    public ValueTask<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ValueTask<NpgsqlConnection>(Connection);
    }

    /// <summary>Returns the connection: to the pool, or to the app in rollback mode (rolling back a transaction the session began).</summary>
    /// <returns>A task that completes when the connection is free.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _end().ConfigureAwait(false);
        }
    }
}
