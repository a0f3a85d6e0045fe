using System.Data;
using PgKit.AspNetCore.Transactions;

namespace PgKit.AspNetCore;

/// <summary>
/// Transaction settings for an endpoint or route group marked with
/// <see cref="Microsoft.AspNetCore.Builder.AtomicEndpointConventionBuilderExtensions.WithAtomic{TBuilder}(TBuilder, Action{AtomicOptions})"/>.
/// </summary>
public sealed class AtomicOptions
{
    /// <summary>Gets or sets the database whose request connection runs in the transaction.</summary>
    /// <value>The default value is <see langword="null"/>: the default database (<see cref="PostgresOptions.DefaultName"/>).</value>
    public string? Database { get; set; }

    /// <summary>Gets or sets the isolation level of the request transaction.</summary>
    /// <value>The default value is <see cref="IsolationLevel.Unspecified"/>: the server's default (normally READ COMMITTED).</value>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.Unspecified;

    /// <summary>Gets or sets a value indicating whether the transaction is READ ONLY (writes fail with SQLSTATE 25006).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Gets or sets how many times the handler is run again when the transaction fails with a serialization failure
    /// (40001) or a deadlock (40P01), in the handler or at COMMIT.
    /// </summary>
    /// <value>The default value is 0 (no retry). It must be between 0 and 10.</value>
    /// <remarks>
    /// A retry runs the whole handler again on the same connection in a new transaction, so the handler must not have
    /// side effects outside the database. No retry happens once the response has started or the client went away.
    /// Retries are a minimal-API feature; MVC actions are not re-run.
    /// </remarks>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets the base delay before a retry; it doubles with each attempt and is jittered by ±50 %.</summary>
    /// <value>The default value is 20 milliseconds. It must be between zero and 10 seconds.</value>
    public TimeSpan RetryDelay { get; set; } = AtomicSettings.DefaultRetryDelay;

    internal AtomicSettings ToSettings() => AtomicSettings.Create(Database, IsolationLevel, ReadOnly, MaxRetries, RetryDelay);
}
