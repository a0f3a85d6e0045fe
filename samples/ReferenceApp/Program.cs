using Microsoft.AspNetCore.Diagnostics.HealthChecks;

// The reference app. With no ConnectionStrings:Postgres it runs on the persistent embedded PostgreSQL of this
// folder (.pgkit/db), so `dotnet run --project samples/ReferenceApp` needs nothing else; the data survives restarts.
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddPostgres(builder.Configuration)
    .UseEmbeddedServer();
builder.Services.AddHealthChecks().AddPostgres();

var app = builder.Build();

// Ready: a round trip to the database. Live: the process answers.
app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false });

app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("Reference app ready: {Urls} (health: /healthz, /livez)", string.Join(", ", app.Urls)));

app.Run();

/// <summary>The app's entry point, visible to in-process tests.</summary>
public partial class Program;
