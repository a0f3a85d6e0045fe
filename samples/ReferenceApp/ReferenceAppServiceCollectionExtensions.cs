using Microsoft.AspNetCore.DataProtection;
using PgKit.Migrations;
using ReferenceApp.Api;

namespace ReferenceApp;

/// <summary>Registers the reference app's services: one call from Program.cs, or from a benchmark or test host.</summary>
public static class ReferenceAppServiceCollectionExtensions
{
    /// <summary>The prefix of the app's embedded migrations (<c>Migrations/NNNN_name.sql</c>).</summary>
    public const string MigrationResourcePrefix = "ReferenceApp.Migrations.";

    /// <summary>Gets where the app's schema comes from: the numbered SQL files embedded in this assembly.</summary>
    public static MigrationSource Migrations => MigrationSource.FromAssembly(typeof(ReferenceAppServiceCollectionExtensions).Assembly, MigrationResourcePrefix);

    /// <summary>
    /// Adds the snake_case JSON wire format, the PostgreSQL pool (<c>ConnectionStrings:Postgres</c>, else the persistent
    /// embedded server) migrated on startup, 422 ProblemDetails for malformed requests, health checks and OpenAPI.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The app configuration; <c>ConnectionStrings:Postgres</c> picks the database.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddReferenceApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.ConfigureHttpJsonOptions(options => JsonWire.Configure(options.SerializerOptions));
        services.AddProblemDetails(); // PgKit names its extensions (sql_state, ...) after the snake_case policy above

        // One pool for the whole app, owned by the host: every route group reaches it through the Db and Atomic
        // parameters of its handlers. With no connection string in Development, the embedded server of the content root
        // (anywhere else a missing connection string stops the start, naming the setting).
        services.AddPostgres(configuration)
            .UseEmbeddedServerInDevelopment()
            .Configure(options =>
            {
                // Through a transaction-mode pooler (PgBouncer): Postgres:TransactionPooling = true, and a direct
                // connection for the migrations' advisory lock (ConnectionStrings:PostgresMigrations).
                options.TransactionPooling = configuration.GetValue("Postgres:TransactionPooling", options.TransactionPooling);
                options.MigrationConnectionString ??= configuration.GetConnectionString("PostgresMigrations");
            })
            .MigrateOnStartup(MigrationsWith(configuration["ReferenceApp:ExtraMigrations"]));

        // Instances behind one load balancer share the key ring that signs read-your-writes positions (and cookies):
        // otherwise a position signed by one instance sends the client's reads to the primary on the others.
        if (configuration["ReferenceApp:DataProtectionKeys"] is { Length: > 0 } keys)
        {
            services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keys)).SetApplicationName("ReferenceApp");
        }

        // Bad JSON, wrong types, missing fields and unparsable route or query values: a 422 naming the snake_case field.
        services.AddRequestProblems();

        services.AddHealthChecks().AddPostgres();
        services.AddOpenApi(options => OpenApiSetup.Configure(options));
        return services;
    }

    /// <summary>
    /// The app's migrations, plus those of a folder when <c>ReferenceApp:ExtraMigrations</c> names one: how
    /// <c>samples/scale-out</c> deploys a "new version" whose migration adds a column, without changing this schema.
    /// </summary>
    private static MigrationSource MigrationsWith(string? extraFolder) =>
        string.IsNullOrWhiteSpace(extraFolder)
            ? Migrations
            : MigrationSource.FromMigrations(Migrations.Load().Concat(MigrationSource.FromDirectory(extraFolder).Load()));
}
