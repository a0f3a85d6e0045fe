using System.Data;
using PgKit.AspNetCore.Transactions;

namespace PgKit.AspNetCore;

/// <summary>
/// Marks an MVC action or controller, or a minimal-API handler method, as atomic: its request connection (<see cref="Db"/>
/// as well as <see cref="Atomic"/>) runs in one transaction that commits before the response is written when the
/// status is below 400, and rolls back otherwise. The attribute form of
/// <see cref="Microsoft.AspNetCore.Builder.AtomicEndpointConventionBuilderExtensions.WithAtomic{TBuilder}(TBuilder, Action{AtomicOptions})"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class AtomicAttribute : Attribute, IAtomicMetadata
{
    private AtomicSettings? _settings;

    /// <summary>Gets or sets the database whose request connection runs in the transaction.</summary>
    /// <value>The default value is <see langword="null"/>: the default database.</value>
    public string? Database { get; set; }

    /// <summary>Gets or sets the isolation level.</summary>
    /// <value>The default value is <see cref="IsolationLevel.Unspecified"/> (the server default).</value>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.Unspecified;

    /// <summary>Gets or sets a value indicating whether the transaction is READ ONLY.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ReadOnly { get; set; }

    /// <summary>Gets or sets how many times a minimal-API handler is re-run on a serialization failure or deadlock.</summary>
    /// <value>The default value is 0. MVC actions are never re-run.</value>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets the base retry delay in milliseconds (doubled per attempt, jittered).</summary>
    /// <value>The default value is 20.</value>
    public int RetryDelayMilliseconds { get; set; } = (int)AtomicSettings.DefaultRetryDelay.TotalMilliseconds;

    AtomicSettings IAtomicMetadata.Settings => _settings ??=
        AtomicSettings.Create(Database, IsolationLevel, ReadOnly, MaxRetries, TimeSpan.FromMilliseconds(RetryDelayMilliseconds));
}
