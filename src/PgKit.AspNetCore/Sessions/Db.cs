using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Npgsql;
using PgKit.AspNetCore.Sessions;
using PgKit.AspNetCore.Transactions;

namespace PgKit.AspNetCore;

/// <summary>
/// The request's connection to a PostgreSQL database (a scoped service). The connection is opened on first use, at most
/// one per request, and returned to the pool when the request ends, whichever way it ends. Take it as a handler
/// parameter (<c>(int id, Db db, CancellationToken ct) => ...</c>), in an MVC action or constructor, or in any scoped
/// service; use <c>[FromKeyedServices("reporting")] Db</c> for a named database.
/// </summary>
/// <remarks>
/// Statements run in autocommit mode, unless the endpoint is atomic (<c>WithAtomic</c>, <see cref="AtomicAttribute"/>) or
/// the request also uses <see cref="Atomic"/>: then they run in the request transaction, on the same connection.
/// Pass the request's <see cref="CancellationToken"/> to every command, so a query is cancelled on the server when the
/// client goes away. Do not dispose the connection you get.
/// <para>
/// When a minimal-API handler (or an MVC action) that took the connection returns, the connection goes back to the pool
/// before the response is serialized, unless a transaction is open or a reader is still streaming. Code that runs
/// while the result is written (a lazy sequence, for example) must call <see cref="GetConnectionAsync"/> then, rather
/// than keep the <see cref="NpgsqlConnection"/> it got inside the handler.
/// </para>
/// </remarks>
public sealed class Db : IPgSession, IEndpointParameterMetadataProvider
{
    private readonly PgRequestSession _session;

    internal Db(PgRequestSession session) => _session = session;

    /// <summary>Gets the PgKit database name (<see cref="PostgresOptions.DefaultName"/> for the default database).</summary>
    public string DatabaseName => _session.Name;

    /// <summary>Gets the database's data source, for work that needs its own connection (for example a parallel query).</summary>
    public NpgsqlDataSource DataSource => _session.DataSource;

    /// <summary>Gets a value indicating whether a transaction (the request transaction or one from <see cref="BeginAsync"/>) is open.</summary>
    public bool IsInTransaction => _session.IsInTransaction;

    /// <summary>Gets the request's open connection, opening it on first use.</summary>
    /// <param name="cancellationToken">Cancels the wait for a connection; the request's abort token is used when none is given.</param>
    /// <returns>The open connection, owned by the request: do not dispose it.</returns>
    /// <exception cref="PoolExhaustedException">No connection became free within <see cref="PostgresOptions.AcquireTimeout"/>.</exception>
    public ValueTask<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken = default) =>
        _session.GetConnectionAsync(atomic: false, cancellationToken);

    /// <summary>
    /// Begins a transaction on the request connection, or a savepoint when a transaction (for example the request
    /// transaction of an atomic endpoint) is already open.
    /// </summary>
    /// <param name="cancellationToken">Cancels opening the connection or creating the savepoint.</param>
    /// <returns>The scope; dispose it, and call <see cref="PgTransactionScope.CommitAsync"/> to keep its work.</returns>
    public ValueTask<PgTransactionScope> BeginAsync(CancellationToken cancellationToken = default) =>
        _session.BeginScopeAsync(atomic: false, cancellationToken);

    /// <summary>Adds PgKit's endpoint filter: it returns the connection to the pool as soon as the handler returns (and completes the request transaction of atomic endpoints).</summary>
    /// <param name="parameter">The handler parameter.</param>
    /// <param name="builder">The endpoint builder.</param>
    static void IEndpointParameterMetadataProvider.PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        PgEndpointFilter.AddTo(builder);
}
