using Microsoft.AspNetCore.Hosting;
using PgKit.Testing;

namespace ReferenceApp.Tests.Support;

/// <summary>
/// The reference app on a database of its own, cloned by PgKit.Testing from a template that already has the app's
/// migrations, and dropped afterwards: one per test class (an xunit class fixture), so test classes run in parallel
/// without seeing each other's rows. Tests commit for real (the concurrent-redeem test needs real transactions).
/// </summary>
public class ReferenceAppFactory : PostgresAppFactory<Program>
{
    /// <summary>Gets a superuser connection string to this factory's database.</summary>
    public string ConnectionString => Database.ConnectionString;

    /// <summary>Creates an empty database, without the app, for tests that migrate by hand; disposing it drops it.</summary>
    public static async Task<TestDatabase> CreateEmptyDatabaseAsync()
    {
        var empty = await TestDatabaseTemplate.GetAsync(await TestPostgres.SharedAsync(), new PostgresTestOptions());
        return await empty.CloneAsync();
    }

    /// <summary>Drops the database while the app still runs (to see the health check fail).</summary>
    public Task DropDatabaseAsync() => Postgres.DropDatabaseAsync(Database.Name);

    /// <inheritdoc/>
    protected override void Configure(PostgresTestOptions options) =>
        options.Migrations = ReferenceAppServiceCollectionExtensions.Migrations;

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);

        // Production: the ProblemDetails bodies clients really get (no stack traces), and no embedded fallback.
        builder.UseEnvironment("Production");
    }
}
