using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
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

/// <summary>The notes app, each test rolled back; its warnings are kept for assertions.</summary>
public sealed class RollbackNotesApp : PostgresAppFactory<Program>
{
    public WarningCapture Warnings { get; } = new();

    protected override void Configure(PostgresTestOptions options)
    {
        options.Migrations = NotesMigrations.Source;
        options.Isolation = TestIsolation.RollbackPerTest;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Warnings));
    }
}

/// <summary>Keeps the event names of an app's warnings.</summary>
public sealed class WarningCapture : ILoggerProvider
{
    public ConcurrentQueue<string> EventNames { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(WarningCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.EventNames.Enqueue(eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
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
