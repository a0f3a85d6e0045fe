namespace PgKit.Sql;

/// <summary>
/// Remembers the parsed form of short texts (table names, orderings) that callers pass as literals on every call. Only
/// successful parses are kept, at most <see cref="Capacity"/> of them; past that, texts not used lately make room (see
/// <see cref="BoundedCache{TKey, TValue}"/>), so made-up names neither grow it without end nor stop it caching.
/// </summary>
/// <typeparam name="T">The immutable parsed form.</typeparam>
internal sealed class ParseCache<T>(Func<string, T> parse)
    where T : class
{
    public const int Capacity = 1024;

    private readonly BoundedCache<string, T> entries = new(Capacity, StringComparer.Ordinal);

    internal int Count => entries.Count;

    public T Get(string text)
    {
        if (entries.TryGet(text, out var parsed))
        {
            return parsed;
        }

        parsed = parse(text);
        entries.Add(text, parsed);
        return parsed;
    }
}
