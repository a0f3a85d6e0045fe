using System.Collections.Concurrent;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// Reusable token sources that bound a request's wait for the pool: a request whose connection is handed over at once
/// (the common case) rents one, never arms its timer and returns it, so it costs no allocation.
/// </summary>
internal sealed class AcquireTimeoutPool
{
    private readonly ConcurrentQueue<CancellationTokenSource> _sources = new();

    /// <summary>Rents a token source; return it with <see cref="Return"/>.</summary>
    public CancellationTokenSource Rent() => _sources.TryDequeue(out var source) ? source : new CancellationTokenSource();

    /// <summary>Keeps a token source that never fired (its timer reset) for the next request; disposes one that did.</summary>
    public void Return(CancellationTokenSource source)
    {
        if (source.TryReset())
        {
            _sources.Enqueue(source);
        }
        else
        {
            source.Dispose();
        }
    }
}
