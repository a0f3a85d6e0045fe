using Xunit;

namespace PgKit.Testing.AspNetCore;

/// <summary>
/// A base for the test classes of an app: gives each test a <see cref="Client"/> and, in rollback mode, the transaction
/// that is rolled back after it (whether the test passed or failed).
/// </summary>
/// <typeparam name="TProgram">The app's entry point.</typeparam>
/// <remarks>
/// <code>
/// public sealed class BlogApp : PostgresAppFactory&lt;Program&gt;
/// {
///     protected override void Configure(PostgresTestOptions options)
///     {
///         options.Migrations = MigrationSource.FromAssembly(typeof(Program).Assembly, "Migrations");
///         options.Isolation = TestIsolation.RollbackPerTest;
///     }
/// }
///
/// public sealed class AuthorTests(BlogApp app, ITestOutputHelper output)
///     : PostgresAppTest&lt;Program&gt;(app, output), IClassFixture&lt;BlogApp&gt;
/// {
///     [Fact]
///     public async Task Creates() =&gt; (await Client.PostAsync("/authors", new { FirstName = "Ada" })).ShouldBe(HttpStatusCode.Created);
/// }
/// </code>
/// </remarks>
public abstract class PostgresAppTest<TProgram> : IAsyncLifetime
    where TProgram : class
{
    /// <summary>Initializes the test with the class's app.</summary>
    /// <param name="app">The class fixture.</param>
    /// <param name="output">Where server errors and the database log go; by default the current test's output (xunit v3's <c>TestContext</c>).</param>
    protected PostgresAppTest(PostgresAppFactory<TProgram> app, ITestOutputHelper? output = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        App = app;
        Client = app.CreateJsonClient(output);
    }

    /// <summary>Gets the app under test.</summary>
    protected PostgresAppFactory<TProgram> App { get; }

    /// <summary>Gets a JSON client for the app.</summary>
    protected JsonClient Client { get; }

    /// <summary>Opens the test's own session on the app's database (dispose it before calling the app in rollback mode).</summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The session.</returns>
    protected Task<TestSession> OpenSessionAsync(CancellationToken cancellationToken = default) => App.OpenSessionAsync(cancellationToken);

    /// <summary>Begins the test's transaction (rollback mode); cancelled with the test (xunit's <c>TestContext.Current.CancellationToken</c>).</summary>
    /// <returns>A task that completes when the test may start.</returns>
    public virtual async ValueTask InitializeAsync() => await App.BeginTestAsync(TestContext.Current.CancellationToken).ConfigureAwait(false);

    /// <summary>Rolls back the test's transaction (rollback mode).</summary>
    /// <returns>A task that completes when the database is clean again.</returns>
    public virtual async ValueTask DisposeAsync()
    {
        // Not the test's token: the rollback must run even when the test was cancelled.
        await App.EndTestAsync(CancellationToken.None).ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
