namespace PgKit;

/// <summary>
/// Readers registered for a statement's exact SQL text and a row type, so that the reflection-based helpers
/// (<c>FetchAsync&lt;T&gt;(sql, args)</c>, <c>FetchRowAsync</c>, <c>FetchStreamAsync</c>) use a generated reader when one
/// exists. A source generator registers its readers from a module initializer; an app rarely calls this itself.
/// </summary>
/// <remarks>
/// Registering does not make the reflection-based overloads safe for trimming or native AOT (they still carry the
/// warning, because they may meet SQL no reader was registered for): for that, call the overloads that take a
/// <see cref="RowReader{T}"/>.
/// </remarks>
public static class RowReaders
{
    /// <summary>Registers <paramref name="reader"/> for <paramref name="sql"/> (compared exactly, ordinal) and <typeparamref name="T"/>; a later registration of the same pair replaces it.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="sql">The statement's SQL text, exactly as the app passes it.</param>
    /// <param name="reader">The reader.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sql"/> or <paramref name="reader"/> is <see langword="null"/>.</exception>
    public static void Register<T>(string sql, RowReader<T> reader)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(reader);
        Registered<T>.Add(sql, reader);
    }

    /// <summary>The reader registered for (<paramref name="sql"/>, <typeparamref name="T"/>), or null.</summary>
    internal static RowReader<T>? Find<T>(string sql) => Registered<T>.Find(sql);

    // One table per row type: a type with no registration costs a static field read and a null test per call.
    private static class Registered<T>
    {
        private static readonly Lock WriteLock = new();
        private static Dictionary<string, RowReader<T>>? readers;

        public static RowReader<T>? Find(string sql)
            => Volatile.Read(ref readers) is { } map && map.TryGetValue(sql, out var reader) ? reader : null;

        public static void Add(string sql, RowReader<T> reader)
        {
            lock (WriteLock)
            {
                // Readers see an immutable snapshot; registrations (at start-up) copy it.
                var next = readers is null ? new Dictionary<string, RowReader<T>>(StringComparer.Ordinal) : new Dictionary<string, RowReader<T>>(readers, StringComparer.Ordinal);
                next[sql] = reader;
                Volatile.Write(ref readers, next);
            }
        }
    }
}
