using Npgsql;
using PgKit.Embedded;

namespace PgKit.Testing;

/// <summary>
/// The PostgreSQL server a test run shares: one embedded, ephemeral server per test process, started on first
/// use and stopped when the process exits, or an existing server when <c>PGKIT_TEST_CONNECTION</c> is set (for a
/// CI that provides one). Tests get isolated databases from it with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class TestPostgres
{
    /// <summary>The environment variable naming an existing server (a superuser connection string) to use instead of an embedded one.</summary>
    public const string ConnectionVariable = "PGKIT_TEST_CONNECTION";

    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static TestPostgres? shared;

    private readonly PostgresServer? _server;

    private TestPostgres(string connectionString, PostgresServer? server)
    {
        ConnectionString = connectionString;
        _server = server;
    }

    /// <summary>Gets a superuser connection string to the server's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets whether the server is PgKit.Embedded's (false when <c>PGKIT_TEST_CONNECTION</c> named one).</summary>
    public bool IsEmbedded => _server is not null;

    /// <summary>Returns the run's shared server, starting it on first use.</summary>
    /// <param name="cancellationToken">Cancels waiting for the start.</param>
    /// <returns>The shared server.</returns>
    /// <exception cref="PostgresServerException">The embedded server could not start; the message says why.</exception>
    public static async Task<TestPostgres> SharedAsync(CancellationToken cancellationToken = default)
    {
        if (shared is { } ready)
        {
            return ready;
        }

        await StartLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (shared is null)
            {
                var external = Environment.GetEnvironmentVariable(ConnectionVariable);
                if (!string.IsNullOrWhiteSpace(external))
                {
                    shared = new TestPostgres(external, server: null);
                }
                else
                {
                    // Never disposed by a test: the server stops itself when the test process exits.
                    var server = await PostgresServer.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    shared = new TestPostgres(server.ConnectionString, server);
                }
            }

            return shared;
        }
        finally
        {
            StartLock.Release();
        }
    }

    /// <summary>Builds a superuser connection string to one database of the server.</summary>
    /// <param name="database">The database name.</param>
    /// <returns>The connection string.</returns>
    public string GetConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;
    }

    /// <summary>Creates a database, optionally as a copy of a template, and returns a connection string to it.</summary>
    /// <param name="name">The database name; quoted, so any valid name works.</param>
    /// <param name="template">The template database to copy, or <see langword="null"/> for PostgreSQL's default.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>A connection string to the new database.</returns>
    public async Task<string> CreateDatabaseAsync(string name, string? template = null, CancellationToken cancellationToken = default)
    {
        var sql = "CREATE DATABASE " + PgIdentifier.Quote(name) + (template is null ? string.Empty : " TEMPLATE " + PgIdentifier.Quote(template));
        await ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        return GetConnectionString(name);
    }

    /// <summary>Drops a database if it exists, ending its sessions.</summary>
    /// <param name="name">The database name.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>A task that completes when the database is gone.</returns>
    public Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DROP DATABASE IF EXISTS " + PgIdentifier.Quote(name) + " WITH (FORCE)", cancellationToken);

    /// <summary>The last lines of the embedded server's log, for a failing test's output; empty for an external server.</summary>
    /// <param name="lines">How many lines at most.</param>
    /// <returns>The lines.</returns>
    public string ReadLogTail(int lines = 50) => _server?.ReadLogTail(lines) ?? string.Empty;

    /// <summary>Runs one statement on a fresh unpooled connection to the <c>postgres</c> database (CREATE/DROP DATABASE run outside any pooled session).</summary>
    internal async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(GetUnpooledConnectionString("postgres"));
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteSqlAsync(sql, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A connection string to one database that bypasses the pool, for connections that must not linger (a template must have none).</summary>
    internal string GetUnpooledConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database, Pooling = false }.ConnectionString;
}
