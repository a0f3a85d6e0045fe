using PgKit.Migrations;
using PgKit.Testing;
using PgKit.Testing.AspNetCore;

namespace PgKitApi.Tests;

/// <summary>
/// The app on a database of its own, cloned from a template that already has the app's migrations (built once per
/// test run on a private PostgreSQL that PgKit.Testing starts). Each test's writes are rolled back after it.
/// </summary>
public sealed class TodoApp : PostgresAppFactory<Program>
{
    protected override void Configure(PostgresTestOptions options)
    {
        options.Migrations = MigrationSource.FromAssembly(typeof(Program).Assembly, "PgKitApi.Migrations.");
        options.Isolation = TestIsolation.RollbackPerTest;
    }
}
