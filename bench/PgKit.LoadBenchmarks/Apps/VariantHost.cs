using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace PgKit.LoadBenchmarks.Apps;

/// <summary>
/// The process of one variant (<c>serve --variant X</c>): the same host for all four (WebApplication.CreateBuilder,
/// Kestrel on 127.0.0.1, Production, logging at Warning), with the variant's services and routes. It prints
/// <c>LISTENING &lt;url&gt;</c> once ready and stops when its standard input closes (the bench ended or died).
/// </summary>
internal static class VariantHost
{
    public const string ReadyPrefix = "LISTENING ";

    /// <summary>The four variants of a default run, in their interleaving order.</summary>
    public static readonly string[] Names = ["pgkit", "raw", "dapper", "efcore"];

    /// <summary>
    /// Diagnostic variants, measured only when named with <c>--variants</c>: <c>pgkit-lean</c> is the reference app's services
    /// and route groups without its host extras (Swagger UI, status-code pages, OpenAPI and health endpoints);
    /// <c>pgkit-checked</c> is PgKit with constant SQL read by generated row readers (see <see cref="PgKitCheckedApp"/>).
    /// </summary>
    public static readonly string[] DiagnosticNames = ["pgkit-lean", PgKitCheckedApp.Name];

    public static async Task<int> ServeAsync(string variant, int port)
    {
        using var allocations = AllocationSampler.StartIfAsked();
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set.");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Warning and above, whatever an appsettings.json says (the reference app's asks for Information).
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:Npgsql"] = "Warning",
            ["Logging:LogLevel:PgKit"] = "Warning",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

        switch (variant)
        {
            case "pgkit" or "pgkit-lean": PgKitApp.AddServices(builder, connectionString); break;
            case PgKitCheckedApp.Name: PgKitCheckedApp.AddServices(builder, connectionString); break;
            case "raw": RawApp.AddServices(builder, connectionString); break;
            case "dapper": DapperApp.AddServices(builder, connectionString); break;
            case "efcore": EfCoreApp.AddServices(builder, connectionString); break;
            default: throw new ArgumentException($"Unknown variant '{variant}': use one of {string.Join(", ", Names.Concat(DiagnosticNames))}.", nameof(variant));
        }

        var app = builder.Build();
        switch (variant)
        {
            case "pgkit": PgKitApp.Map(app); break;
            case "pgkit-lean": PgKitApp.MapLean(app); break;
            case PgKitCheckedApp.Name: PgKitCheckedApp.Map(app); break;
            case "raw": RawApp.Map(app); break;
            case "dapper": DapperApp.Map(app); break;
            default: EfCoreApp.Map(app); break;
        }

        // Bench-only: the process's allocation counter, read before and after each measurement.
        app.MapGet("/_bench/stats", static () => TypedResults.Text(
            string.Create(CultureInfo.InvariantCulture, $"{GC.GetTotalAllocatedBytes(false)} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)}")));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.Out.WriteLine(ReadyPrefix + address);
        Console.Out.Flush();

        // Until the bench closes our standard input.
        await Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
        });
        await app.StopAsync();
        await app.DisposeAsync();
        if (allocations is not null)
        {
            Console.Out.Write(allocations.Report());
            Console.Out.Flush();
        }

        return 0;
    }
}

/// <summary>The "fortunes-like" work item: every row of a 12-row table, one more added at request time, sorted by message.</summary>
internal static class Fortunes
{
    public const string ExtraMessage = "Additional fortune added at request time.";

    public static List<Fortune> Complete(IReadOnlyCollection<Fortune> rows)
    {
        var fortunes = new List<Fortune>(rows.Count + 1);
        fortunes.AddRange(rows);
        fortunes.Add(new Fortune { Id = 0, Message = ExtraMessage });
        fortunes.Sort(static (a, b) => string.CompareOrdinal(a.Message, b.Message));
        return fortunes;
    }
}
