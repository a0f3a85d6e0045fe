using Npgsql;

namespace PgKit.Testing;

/// <summary>
/// A database of its own for a test or a test class, copied from a <see cref="TestDatabaseTemplate"/>; tests may
/// commit freely. Disposing it closes its pool and drops it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly TestPostgres _server;
    private NpgsqlDataSource? _dataSource;
    private bool _disposed;

    internal TestDatabase(TestPostgres server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = server.GetConnectionString(name);
    }

    /// <summary>Gets the database name.</summary>
    public string Name { get; }

    /// <summary>Gets a superuser connection string to the database.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets a data source (a pool) for the database, created on first use and closed on dispose.</summary>
    public NpgsqlDataSource DataSource
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _dataSource ??= NpgsqlDataSource.Create(ConnectionString);
        }
    }

    /// <summary>Opens a pooled connection to the database.</summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The open connection; dispose it.</returns>
    public ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        DataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Closes the pool and drops the database, ending any session still connected.</summary>
    /// <returns>A task that completes when the database is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        await _server.DropDatabaseAsync(Name).ConfigureAwait(false);
    }
}
