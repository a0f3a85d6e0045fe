using ReferenceApp;

// The reference app: the blog, coupons and items of the seed tutorials as one API. With no ConnectionStrings:Postgres
// it runs on the persistent embedded PostgreSQL of this folder, so `dotnet run --project samples/ReferenceApp` needs
// nothing else; the data survives restarts. Everything is composed in AddReferenceApp and MapReferenceApp.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddReferenceApp(builder.Configuration);

var app = builder.Build();
app.MapReferenceApp();
app.Run();

/// <summary>The app's entry point, visible to in-process tests.</summary>
public partial class Program;
