using System.Collections.Concurrent;

namespace PgKit.Sql;

/// <summary>
/// A thread-safe cache of at most <see cref="Capacity"/> entries that keeps caching once full: when an add finds it
/// full, a sweep (second chance, as in a clock) drops the entries not read since the previous sweep and clears the mark
/// of the others, and keeps dropping until a quarter of the room is free. Entries in use stay; one-off keys (a program
/// that builds conditions or names on the fly) come and go without shutting everything else out.
/// </summary>
/// <remarks>
/// A hit is a dictionary read plus, the first time after a sweep, one write of the entry's mark. Sweeps run under a lock,
/// touch every entry, and happen once per <c>Capacity / 4</c> adds at most, so their cost per add stays constant.
/// </remarks>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TValue">The immutable cached value.</typeparam>
internal sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, Entry> entries;
    private readonly Lock sweepLock = new();
    private int count;

    public BoundedCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 4);
        Capacity = capacity;
        entries = new ConcurrentDictionary<TKey, Entry>(comparer);
    }

    public int Capacity { get; }

    /// <summary>Gets the number of entries; for tests.</summary>
    public int Count => Volatile.Read(ref count);

    public bool TryGet(TKey key, out TValue value)
    {
        if (entries.TryGetValue(key, out var entry))
        {
            // Written only when clear, so a hot entry's cache line is not written on every hit.
            if (!entry.Used)
            {
                entry.Used = true;
            }

            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    public void Add(TKey key, TValue value)
    {
        if (Volatile.Read(ref count) >= Capacity)
        {
            Sweep();
        }

        if (entries.TryAdd(key, new Entry(value)))
        {
            Interlocked.Increment(ref count);
        }
    }

    private void Sweep()
    {
        lock (sweepLock)
        {
            // Another thread may have swept while this one waited.
            if (Volatile.Read(ref count) < Capacity)
            {
                return;
            }

            var target = Capacity - (Capacity / 4);
            for (var pass = 0; pass < 2 && Volatile.Read(ref count) > target; pass++)
            {
                // First pass: drop what was not used since the last sweep, clear the rest's marks. Second pass (everything
                // was in use): drop unmarked entries until there is room.
                foreach (var pair in entries)
                {
                    if (pair.Value.Used)
                    {
                        pair.Value.Used = false;
                    }
                    else if (entries.TryRemove(pair) && Interlocked.Decrement(ref count) <= target && pass > 0)
                    {
                        break;
                    }
                }
            }
        }
    }

    private sealed class Entry(TValue value)
    {
        public TValue Value { get; } = value;

        // Racy by design: a lost write only costs an entry its second chance.
        public bool Used { get; set; }
    }
}
