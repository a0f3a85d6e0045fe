using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PgKit.AspNetCore;
using Xunit;

namespace PgKit.Testing.AspNetCore;

/// <summary>
/// Runs the app under test in memory (a <see cref="WebApplicationFactory{TEntryPoint}"/>) against a database of its own,
/// cloned from a template with the app's migrations: use it as an xunit class fixture, one app and one database per test
/// class, so classes run in parallel.
/// </summary>
/// <typeparam name="TProgram">The app's entry point (<c>Program</c>, made visible with <c>public partial class Program;</c>).</typeparam>
/// <remarks>
/// The app's own startup runs unchanged (hooks, <c>MigrateOnStartup</c>, which finds nothing pending because the template
/// already has the migrations); only the connection string of the database named <see cref="DatabaseName"/> is replaced.
/// In <see cref="TestIsolation.RollbackPerTest"/> mode every request of the app runs on one connection inside the test's
/// transaction: <c>Atomic</c> commits become savepoint releases, each autocommit statement of <c>Db</c> runs in a savepoint
/// of its own (a failed one is undone alone, as in production), and everything is rolled back when the test ends
/// (<see cref="PostgresAppTest{TProgram}"/> calls <see cref="BeginTestAsync"/> and <see cref="EndTestAsync"/>).
/// </remarks>
public class PostgresAppFactory<TProgram> : WebApplicationFactory<TProgram>, IAsyncLifetime
    where TProgram : class
{
    private readonly PostgresTestOptions _options = new();
    private TestPostgres? _server;
    private TestDatabase? _database;
    private PinnedConnection? _pin;
    private bool _configured;
    private bool _disposed;

    /// <summary>Gets how the tests of the class are isolated (set in <see cref="Configure"/>).</summary>
    public TestIsolation Isolation => _options.Isolation;

    /// <summary>Gets the run's shared server.</summary>
    public TestPostgres Postgres => _server ?? throw NotInitialized();

    /// <summary>Gets the app's database (cloned from the template for this factory, dropped when it is disposed).</summary>
    public TestDatabase Database => _database ?? throw NotInitialized();

    /// <summary>Gets the app's JSON options (the ones its minimal APIs use), for reading and writing bodies as the app does.</summary>
    public JsonSerializerOptions JsonOptions => Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    /// <summary>Gets the PgKit database name whose connection string the factory replaces.</summary>
    /// <value>The default value is <see cref="PostgresOptions.DefaultName"/>.</value>
    protected virtual string DatabaseName => PostgresOptions.DefaultName;

    /// <summary>Says what the template contains (usually the app's migrations) and the isolation mode.</summary>
    /// <param name="options">The options to fill in.</param>
    protected virtual void Configure(PostgresTestOptions options)
    {
    }

    /// <summary>Builds or reuses the template, clones the app's database and starts the app.</summary>
    /// <returns>A task that completes when the app has started.</returns>
    public virtual async ValueTask InitializeAsync()
    {
        EnsureConfigured();
        _server = await TestPostgres.SharedAsync().ConfigureAwait(false);
        var template = await TestDatabaseTemplate.GetAsync(_server, _options).ConfigureAwait(false);
        _database = await template.CloneAsync().ConfigureAwait(false);
        if (_options.Isolation == TestIsolation.RollbackPerTest)
        {
            _pin = await PinnedConnection.OpenAsync(_database.ConnectionString, CancellationToken.None).ConfigureAwait(false);
        }

        // Start now, so a startup failure (a hook, a migration) is reported once, by the fixture, not by every test.
        _ = Services;
    }

    /// <summary>Starts a test: in rollback mode, begins the transaction every request and session of the test runs in.</summary>
    /// <param name="cancellationToken">Cancels waiting for the connection.</param>
    /// <returns>A task that completes when the test may start.</returns>
    public Task BeginTestAsync(CancellationToken cancellationToken = default) =>
        _pin?.BeginTestAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Ends a test: in rollback mode, rolls back everything the test and the app wrote.</summary>
    /// <param name="cancellationToken">Cancels waiting for requests still running.</param>
    /// <returns>A task that completes when the database is back to the template's state.</returns>
    public Task EndTestAsync(CancellationToken cancellationToken = default) =>
        _pin?.EndTestAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>
    /// Opens the test's own session on the app's database, to set up rows and check what the app wrote. In rollback mode
    /// it is the test's transaction (requests of the app wait until the session is disposed).
    /// </summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The session; dispose it with <c>await using</c>.</returns>
    public async Task<TestSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        if (_pin is { } pin)
        {
            var pinned = await pin.AcquireAsync(TimeSpan.FromSeconds(30), "a TestSession", cancellationToken).ConfigureAwait(false);
            return new TestSession(pinned, pin.ReleaseAsync);
        }

        var connection = await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return new TestSession(connection, connection.DisposeAsync);
    }

    /// <summary>Creates a client for the app that speaks its JSON and reports server errors to the test output.</summary>
    /// <param name="output">Where server errors go; null (the default) means the output of the test running at the time (xunit v3's <c>TestContext</c>).</param>
    /// <returns>The client.</returns>
    public JsonClient CreateJsonClient(ITestOutputHelper? output = null) =>
        new(CreateClient(), JsonOptions, _server, output);

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var database = Database;
        var name = DatabaseName;
        builder.UseSetting("ConnectionStrings:" + name, database.ConnectionString);
        builder.ConfigureServices(services => services.PostConfigure<PostgresOptions>(name, options =>
        {
            options.ConnectionString = database.ConnectionString;
            options.ConnectionPin = _pin;
        }));
    }

    /// <summary>Stops the app and drops its database.</summary>
    /// <returns>A task that completes when both are gone.</returns>
    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await base.DisposeAsync().ConfigureAwait(false);
        if (_pin is not null)
        {
            await _pin.DisposeAsync().ConfigureAwait(false);
        }

        if (_database is not null)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    private void EnsureConfigured()
    {
        if (!_configured)
        {
            Configure(_options);
            _configured = true;
        }
    }

    private static InvalidOperationException NotInitialized() => new(
        "PgKit.Testing: the app factory is not initialized. Use it as an xunit class or collection fixture (IClassFixture<T>), " +
        "or call InitializeAsync first.");
}
