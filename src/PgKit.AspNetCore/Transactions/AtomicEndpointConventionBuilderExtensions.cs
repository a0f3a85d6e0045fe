using PgKit.AspNetCore;
using PgKit.AspNetCore.Transactions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Marks endpoints and route groups as atomic.</summary>
public static class AtomicEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Runs the endpoint (or every endpoint of the group) in a request transaction: handlers that take
    /// <see cref="Db"/> get the transaction too, not only those that take <see cref="Atomic"/>. The transaction commits
    /// after the handler returns and before the response is written when the status is below 400, and rolls back otherwise.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type (a route handler, a group, controllers).</typeparam>
    /// <param name="builder">The endpoint convention builder.</param>
    /// <param name="configure">Sets isolation level, read-only, retries and the database; optional.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (checked here, at startup).</exception>
    public static TBuilder WithAtomic<TBuilder>(this TBuilder builder, Action<AtomicOptions>? configure = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new AtomicOptions();
        configure?.Invoke(options);
        var metadata = new AtomicMetadata(options.ToSettings());
        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(metadata);
            PgEndpointFilter.AddTo(endpoint);
        });
        return builder;
    }
}
