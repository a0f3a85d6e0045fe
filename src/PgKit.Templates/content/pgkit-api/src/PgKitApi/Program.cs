using System.ComponentModel.DataAnnotations;
using Npgsql;
using PgKit;
using PgKit.AspNetCore;
using PgKit.Migrations;

var builder = WebApplication.CreateBuilder(args);

// Errors as ProblemDetails. Records' data annotations are checked before a handler runs (AddValidation: its source
// generator only sees this assembly, so the app calls it itself), and malformed JSON, wrong types and failed rules
// answer 422 naming the field (AddRequestProblems), as FastAPI does.
builder.Services.AddProblemDetails();
builder.Services.AddValidation();
builder.Services.AddRequestProblems();

// PostgreSQL: ConnectionStrings:Postgres, or, in Development only, the embedded server of this folder (.pgkit/).
// Migrations/*.sql are applied at start (under a lock, so several instances may start at once), then the OnInit hooks.
builder.Services.AddPostgres(builder.Configuration)
    .UseEmbeddedServerInDevelopment()
    .MigrateOnStartup(MigrationSource.FromAssembly(typeof(Program).Assembly, "PgKitApi.Migrations."))
    .OnInit(LogServerVersion, "log-server-version");
builder.Services.AddHealthChecks().AddPostgres();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapHealthChecks("/healthz");

var todos = app.MapGroup("/todos");

// Reads take Db: a pooled connection for the request, returned when the request ends.
todos.MapGet("/", (Db db, CancellationToken ct) =>
    db.SelectAsync<Todo>("todo", orderBy: "id", limit: 100, cancellationToken: ct));

todos.MapGet("/{id:long}", async (long id, Db db, CancellationToken ct) =>
    await db.GetAsync<Todo>("todo", new { id }, ct) is { } todo ? Results.Ok(todo) : Results.NotFound());

// Writes take Atomic: one transaction, committed before the response is written (rolled back if the handler throws).
todos.MapPost("/", async (TodoIn input, Atomic db, CancellationToken ct) =>
{
    var todo = await db.InsertAsync<Todo>("todo", input, ct);
    return Results.Created($"/todos/{todo.Id}", todo);
});

todos.MapPut("/{id:long}", async (long id, TodoIn input, Atomic db, CancellationToken ct) =>
    (await db.UpdateAsync<Todo>("todo", new { id }, input, ct)) is [var todo] ? Results.Ok(todo) : Results.NotFound());

todos.MapDelete("/{id:long}", async (long id, Atomic db, CancellationToken ct) =>
    await db.DeleteAsync("todo", new { id }, ct) > 0 ? Results.NoContent() : Results.NotFound());

app.Run();

// A startup hook: runs once, on one connection, after the migrations and before the first request.
static async Task LogServerVersion(NpgsqlConnection connection, CancellationToken cancellationToken)
{
    await using var command = new NpgsqlCommand("SHOW server_version", connection);
    Console.WriteLine($"Connected to PostgreSQL {await command.ExecuteScalarAsync(cancellationToken)}.");
}

/// <summary>A row of the todo table.</summary>
public sealed record Todo(long Id, string Title, bool Done, DateTimeOffset CreatedAt);

/// <summary>What a client sends to create or replace a todo.</summary>
public sealed record TodoIn([property: Required, StringLength(200, MinimumLength = 1)] string Title, bool Done = false);

/// <summary>The app's entry point, visible to the in-process tests.</summary>
public partial class Program;
