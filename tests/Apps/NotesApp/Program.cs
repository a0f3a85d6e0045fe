using PgKit;
using PgKit.AspNetCore;
using PgKit.Migrations;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddPostgres(builder.Configuration)
    .Configure(options => options.AcquireTimeout = TimeSpan.FromSeconds(2))
    .MigrateOnStartup(NotesMigrations.Source);

var app = builder.Build();

// Writes: the request transaction. A title starting with "fail" inserts, then fails the request, so nothing may stay.
app.MapPost("/notes", async (NoteInput input, Atomic db, CancellationToken ct) =>
{
    var note = await db.InsertAsync<Note>("note", new { input.Title }, ct);
    return input.Title.StartsWith("fail", StringComparison.Ordinal)
        ? Results.Problem("failed on purpose", statusCode: 500)
        : Results.Created($"/notes/{note.Id}", note);
}).WithAtomic();

// A write in autocommit mode (no request transaction): a duplicate fails with 409 through PgKit's error mapping.
app.MapPost("/notes/autocommit", async (NoteInput input, Db db, CancellationToken ct) =>
    Results.Created("/notes", await db.InsertAsync<Note>("note", new { input.Title }, ct)));

app.MapGet("/notes/count", async (Db db, CancellationToken ct) => new { Count = await db.CountAsync("note", cancellationToken: ct) });

// A read-only request transaction: in rollback mode (a savepoint) its setting must not outlive the request.
app.MapGet("/notes/count/read-only", async (Atomic db, CancellationToken ct) => new { Count = await db.CountAsync("note", cancellationToken: ct) })
    .WithAtomic(options => options.ReadOnly = true);

// An explicit transaction the handler rolls back itself: nothing of it may stay.
app.MapPost("/notes/undone", async (NoteInput input, Db db, CancellationToken ct) =>
{
    await using var transaction = await db.BeginAsync(ct);
    await db.InsertAsync<Note>("note", new { input.Title }, ct);
    await transaction.RollbackAsync(ct);
    return Results.NoContent();
});

// Autocommit, then a statement that fails (division by zero, 422): the first insert stays, as autocommit keeps it.
app.MapPost("/notes/then-fail", async (NoteInput input, Db db, CancellationToken ct) =>
{
    await db.InsertAsync<Note>("note", new { input.Title }, ct);
    return Results.Ok(await db.FetchValueAsync<int>("SELECT 1 / 0", cancellationToken: ct));
});

// Autocommit: a duplicate the handler catches, then one more insert; both inserts stay.
app.MapPost("/notes/despite-failure", async (NoteInput input, Db db, CancellationToken ct) =>
{
    await db.InsertAsync<Note>("note", new { input.Title }, ct);
    try
    {
        await db.InsertAsync<Note>("note", new { input.Title }, ct);
    }
    catch (System.Data.Common.DbException)
    {
        // The duplicate is expected: the handler goes on without it.
    }

    var after = await db.InsertAsync<Note>("note", new { Title = input.Title + " after" }, ct);
    return Results.Created($"/notes/{after.Id}", after);
});

// A serializable request transaction: rollback mode cannot give it its level, and says so.
app.MapGet("/notes/count/serializable", async (Atomic db, CancellationToken ct) => new { Count = await db.CountAsync("note", cancellationToken: ct) })
    .WithAtomic(options => options.IsolationLevel = System.Data.IsolationLevel.Serializable);

app.MapGet("/notes/slow", async (Db db, CancellationToken ct) =>
    new { Slept = await db.FetchValueAsync<int>("SELECT 1 FROM pg_sleep(0.2)", cancellationToken: ct) });

app.Run();

/// <summary>The app's entry point, for WebApplicationFactory.</summary>
public partial class Program;

/// <summary>A note as stored.</summary>
public sealed record Note(long Id, string Title);

/// <summary>A note as posted.</summary>
public sealed record NoteInput(string Title);

/// <summary>Where the app's migrations are.</summary>
public static class NotesMigrations
{
    /// <summary>Gets the migrations embedded in the app.</summary>
    public static MigrationSource Source { get; } = MigrationSource.FromAssembly(typeof(Program).Assembly, "NotesApp.Migrations.");
}
