using System.Collections.Concurrent;

namespace PgKit.Sql;

/// <summary>
/// Remembers the parsed form of short texts (table names, orderings) that callers pass as literals on every call. Only
/// successful parses are kept, and at most <see cref="Capacity"/> of them, so made-up names cannot grow it without end.
/// </summary>
/// <typeparam name="T">The immutable parsed form.</typeparam>
internal sealed class ParseCache<T>(Func<string, T> parse)
    where T : class
{
    public const int Capacity = 1024;

    private readonly ConcurrentDictionary<string, T> entries = new(StringComparer.Ordinal);

    public T Get(string text)
    {
        if (entries.TryGetValue(text, out var parsed))
        {
            return parsed;
        }

        parsed = parse(text);
        if (entries.Count < Capacity)
        {
            entries.TryAdd(text, parsed);
        }

        return parsed;
    }
}
