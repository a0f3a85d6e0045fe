namespace PgKit.AspNetCore.Transactions;

/// <summary>Endpoint metadata that makes an endpoint run in a request transaction (from <c>WithAtomic</c> or <see cref="AtomicAttribute"/>).</summary>
internal interface IAtomicMetadata
{
    AtomicSettings Settings { get; }
}
