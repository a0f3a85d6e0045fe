using Npgsql;
using PgKit.Migrations;

namespace PgKit.Testing;

/// <summary>What the template database of a test run contains: migrations, then optional seed data.</summary>
/// <remarks>
/// The template is built once per run (or reused from an earlier run on an external server) and identified by a hash
/// of its migrations (versions, names and checksums), the seed callback's identity and <see cref="SeedVersion"/>, so a
/// changed migration builds a new template and an unchanged one is reused.
/// </remarks>
public sealed class PostgresTestOptions
{
    /// <summary>Gets or sets the migrations applied to the template, for example <c>MigrationSource.FromAssembly(typeof(Program).Assembly, "Migrations")</c>.</summary>
    /// <value>The default value is <see langword="null"/>: no migrations.</value>
    public MigrationSource? Migrations { get; set; }

    /// <summary>Gets or sets a callback that runs on the template after the migrations (reference data, a schema without migrations).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<NpgsqlConnection, CancellationToken, Task>? Seed { get; set; }

    /// <summary>
    /// Gets or sets a version to bump when the seed callback's behaviour changes but its code did not (data read from a file).
    /// A rebuilt test assembly already counts as a change.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? SeedVersion { get; set; }

    /// <summary>Gets or sets how the tests of a class are isolated; used by PgKit.Testing.AspNetCore's <c>PostgresAppFactory</c>.</summary>
    /// <value>The default value is <see cref="TestIsolation.DatabasePerClass"/>.</value>
    public TestIsolation Isolation { get; set; } = TestIsolation.DatabasePerClass;
}
