using Xunit;
using Xunit.Abstractions;

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
    /// <param name="output">The test's output; server errors and the database log go there.</param>
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

    /// <summary>Begins the test's transaction (rollback mode).</summary>
    /// <returns>A task that completes when the test may start.</returns>
    public virtual Task InitializeAsync() => App.BeginTestAsync();

    /// <summary>Rolls back the test's transaction (rollback mode).</summary>
    /// <returns>A task that completes when the database is clean again.</returns>
    public virtual Task DisposeAsync() => App.EndTestAsync();
}
