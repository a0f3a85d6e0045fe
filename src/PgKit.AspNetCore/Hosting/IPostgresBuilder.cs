using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace PgKit.AspNetCore;

/// <summary>
/// Configures one database registered with <c>AddPostgres</c>: startup hooks, the Npgsql data source, options.
/// </summary>
public interface IPostgresBuilder
{
    /// <summary>Gets the database name (<see cref="PostgresOptions.DefaultName"/> for the default database); it is also the service key.</summary>
    string Name { get; }

    /// <summary>Gets the service collection the database is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// Adds a startup hook. Hooks run once per host start, in registration order, on one connection, after the pool is
    /// built and before the server accepts requests. A hook that throws stops startup (the log line names the hook) and
    /// the pool is disposed.
    /// </summary>
    /// <param name="hook">The hook; it receives an open connection and the host's startup token.</param>
    /// <param name="name">The name used in logs and errors; defaults to the delegate's declaring type and method.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <remarks>
    /// Running migrations here is safe only with one instance, or with an advisory lock. Per-physical-connection setup
    /// (session settings, type loading) belongs in <see cref="ConfigureDataSource"/> with
    /// <see cref="NpgsqlDataSourceBuilder.UsePhysicalConnectionInitializer"/>.
    /// </remarks>
    IPostgresBuilder OnInit(Func<NpgsqlConnection, CancellationToken, Task> hook, string? name = null);

    /// <summary>
    /// Adds a callback that configures the <see cref="NpgsqlDataSourceBuilder"/> before the data source is built:
    /// type mappings, JSON options, <see cref="NpgsqlDataSourceBuilder.UsePhysicalConnectionInitializer"/>, password
    /// providers, certificates, or any connection-string setting through <see cref="NpgsqlDataSourceBuilder.ConnectionStringBuilder"/>.
    /// </summary>
    /// <param name="configure">The callback; callbacks run in registration order.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    IPostgresBuilder ConfigureDataSource(Action<NpgsqlDataSourceBuilder> configure);

    /// <summary>Configures the database's <see cref="PostgresOptions"/>; runs after the values read from configuration.</summary>
    /// <param name="configure">The callback.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    IPostgresBuilder Configure(Action<PostgresOptions> configure);

    /// <summary>Configures how database errors become ProblemDetails responses (shared by every database).</summary>
    /// <param name="configure">The callback.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    IPostgresBuilder ConfigureProblemDetails(Action<PostgresProblemDetailsOptions> configure);
}
