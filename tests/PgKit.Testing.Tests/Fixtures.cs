using PgKit.Migrations;

namespace PgKit.Testing.Tests;

/// <summary>The notes schema as a plain database fixture.</summary>
public sealed class NotesDatabase : PostgresFixture
{
    protected override void Configure(PostgresTestOptions options) => options.Migrations = NotesMigrations.Source;
}

/// <summary>A second fixture type with the same template, so two classes get two databases.</summary>
public sealed class OtherNotesDatabase : PostgresFixture
{
    protected override void Configure(PostgresTestOptions options) => options.Migrations = NotesMigrations.Source;
}

/// <summary>The notes app, each test rolled back.</summary>
public sealed class RollbackNotesApp : PostgresAppFactory<Program>
{
    protected override void Configure(PostgresTestOptions options)
    {
        options.Migrations = NotesMigrations.Source;
        options.Isolation = TestIsolation.RollbackPerTest;
    }
}

/// <summary>The notes app on a database of its own, committing for real.</summary>
public sealed class CommittingNotesApp : PostgresAppFactory<Program>
{
    protected override void Configure(PostgresTestOptions options) => options.Migrations = NotesMigrations.Source;
}

/// <summary>Migrations written to a folder of their own, so each test has a template lineage nobody else touches.</summary>
internal sealed class MigrationFolder : IDisposable
{
    public MigrationFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pgkit-testing-" + Guid.NewGuid().ToString("N")[..8]);

    public MigrationSource Source => MigrationSource.FromDirectory(Path);

    /// <summary>Writes a migration; a comment naming the folder keeps its checksum (and so its template) apart from other tests'.</summary>
    public void Write(string fileName, string sql) =>
        File.WriteAllText(System.IO.Path.Combine(Path, fileName), "-- " + Path + "\n" + sql);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
