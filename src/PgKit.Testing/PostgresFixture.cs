using Npgsql;
using Xunit;

namespace PgKit.Testing;

/// <summary>
/// An xunit class or collection fixture for tests that talk to PostgreSQL directly: the run's shared server, the
/// template built from <see cref="Configure"/>, and a database for the class cloned from it.
/// </summary>
/// <remarks>
/// Derive from it to say what the template contains, then pick the isolation in the test class: a database per test
/// with <see cref="CreateDatabaseAsync"/>, or a transaction per test on the class database with
/// <see cref="BeginRollbackAsync"/>.
/// <code>
/// public sealed class ShopDatabase : PostgresFixture
/// {
///     protected override void Configure(PostgresTestOptions options) =&gt;
///         options.Migrations = MigrationSource.FromDirectory("Migrations");
/// }
///
/// public sealed class OrderTests(ShopDatabase db) : IClassFixture&lt;ShopDatabase&gt;
/// {
///     [Fact]
///     public async Task Inserts()
///     {
///         await using var session = await db.BeginRollbackAsync();
///         await session.InsertAsync("orders", new { Total = 10m });
///     }
/// }
/// </code>
/// </remarks>
public class PostgresFixture : IAsyncLifetime
{
    private TestPostgres? _server;
    private TestDatabaseTemplate? _template;
    private TestDatabase? _database;

    /// <summary>Gets the run's shared server.</summary>
    public TestPostgres Server => _server ?? throw NotInitialized();

    /// <summary>Gets the template the databases are cloned from.</summary>
    public TestDatabaseTemplate Template => _template ?? throw NotInitialized();

    /// <summary>Gets the fixture's own database (cloned once, dropped when the fixture is disposed).</summary>
    public TestDatabase Database => _database ?? throw NotInitialized();

    /// <summary>Says what the template contains. The default is an empty database.</summary>
    /// <param name="options">The options to fill in.</param>
    protected virtual void Configure(PostgresTestOptions options)
    {
    }

    /// <summary>Starts (or joins) the shared server, builds or reuses the template and clones the fixture's database.</summary>
    /// <returns>A task that completes when the database is ready.</returns>
    public virtual async ValueTask InitializeAsync()
    {
        var options = new PostgresTestOptions();
        Configure(options);
        _server = await TestPostgres.SharedAsync().ConfigureAwait(false);
        _template = await TestDatabaseTemplate.GetAsync(_server, options).ConfigureAwait(false);
        _database = await _template.CloneAsync().ConfigureAwait(false);
    }

    /// <summary>Creates a new database cloned from the template, for one test; dispose it to drop it.</summary>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>The database.</returns>
    public Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default) => Template.CloneAsync(cancellationToken);

    /// <summary>Opens a connection to the fixture's database inside a transaction that is rolled back when the session is disposed.</summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The session; dispose it at the end of the test.</returns>
    public async Task<TestSession> BeginRollbackAsync(CancellationToken cancellationToken = default)
    {
        var connection = await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlTransaction transaction;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new TestSession(connection, async () =>
        {
            try
            {
                await transaction.RollbackAsync().ConfigureAwait(false);
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        });
    }

    /// <summary>Drops the fixture's database.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    public virtual async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    private static InvalidOperationException NotInitialized() => new(
        "PgKit.Testing: the fixture is not initialized. Use it as an xunit class or collection fixture (IClassFixture<T>), " +
        "or call InitializeAsync first.");
}
