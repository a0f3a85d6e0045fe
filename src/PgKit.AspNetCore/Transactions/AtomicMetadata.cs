namespace PgKit.AspNetCore.Transactions;

/// <summary>The metadata <c>WithAtomic</c> adds.</summary>
internal sealed class AtomicMetadata(AtomicSettings settings) : IAtomicMetadata
{
    public AtomicSettings Settings { get; } = settings;

    public override string ToString() => $"Atomic({Settings})";
}
