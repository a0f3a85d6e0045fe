using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Npgsql;
using PgKit.AspNetCore.Sessions;
using PgKit.AspNetCore.Transactions;

namespace PgKit.AspNetCore;

/// <summary>
/// The request's transaction on a PostgreSQL database (a scoped service): the same connection as <see cref="Db"/>,
/// inside a transaction begun on first use. The transaction commits after the handler returns and before any byte of
/// the response is written when the status is below 400, and rolls back on an exception, on a status of 400 or more,
/// and when the client has gone away. If COMMIT fails, the client gets an error (ProblemDetails), never the handler's result.
/// </summary>
/// <remarks>
/// A minimal-API handler that takes <see cref="Atomic"/> gets the commit filter automatically; settings (isolation,
/// read-only, retries) come from <c>WithAtomic(...)</c> or <see cref="AtomicAttribute"/> on the endpoint, or its group.
/// In MVC, a global result filter commits before the result executes. Use <c>[FromKeyedServices("reporting")] Atomic</c>
/// for a named database.
/// </remarks>
public sealed class Atomic : IPgSession, IEndpointParameterMetadataProvider
{
    private readonly PgRequestSession _session;

    internal Atomic(PgRequestSession session) => _session = session;

    /// <summary>Gets the PgKit database name.</summary>
    public string DatabaseName => _session.Name;

    /// <summary>Gets the database's data source.</summary>
    public NpgsqlDataSource DataSource => _session.DataSource;

    /// <summary>Gets the request connection, opening it and beginning the request transaction on first use.</summary>
    /// <param name="cancellationToken">Cancels the wait for a connection; the request's abort token is used when none is given.</param>
    /// <returns>The open connection, inside the request transaction; do not dispose it and do not commit it yourself.</returns>
    /// <exception cref="PoolExhaustedException">No connection became free within <see cref="PostgresOptions.AcquireTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The request transaction has already been completed (the handler returned).</exception>
    public ValueTask<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken = default) =>
        _session.GetConnectionAsync(atomic: true, cancellationToken);

    /// <summary>Creates a savepoint inside the request transaction (nested "transaction").</summary>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The savepoint scope; disposing it without committing rolls back to the savepoint.</returns>
    public ValueTask<PgTransactionScope> BeginAsync(CancellationToken cancellationToken = default) =>
        _session.BeginScopeAsync(atomic: true, cancellationToken);

    /// <summary>Adds PgKit's endpoint filter, which commits before the result is written.</summary>
    /// <param name="parameter">The handler parameter.</param>
    /// <param name="builder">The endpoint builder.</param>
    static void IEndpointParameterMetadataProvider.PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        PgEndpointFilter.AddTo(builder);
}
