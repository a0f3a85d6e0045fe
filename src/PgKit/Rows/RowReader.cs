using Npgsql;

namespace PgKit;

/// <summary>
/// Reads the current row of a result into a <typeparamref name="T"/> with no reflection: the seam for readers written by
/// hand or emitted by a source generator, which read each column by ordinal. Pass one to the overloads of
/// <c>FetchAsync</c>, <c>FetchRowAsync</c> and <c>FetchStreamAsync</c> that take a reader; those are safe for trimming and
/// native AOT, unlike the overloads that map rows by reflection.
/// </summary>
/// <remarks>
/// One instance serves every call, concurrently: keep no per-call state in it (ordinals known when the reader is
/// written, or looked up in <see cref="CheckColumns"/> and thrown away, are fine).
/// </remarks>
/// <typeparam name="T">The row type.</typeparam>
/// <example>
/// <code>
/// sealed class AuthorReader : RowReader&lt;Author&gt;
/// {
///     public static readonly AuthorReader Instance = new();
///     public override Author Read(NpgsqlDataReader row) => new(row.GetInt32(0), row.GetString(1));
/// }
///
/// var authors = await db.FetchAsync("SELECT id, name FROM authors WHERE id > $1", AuthorReader.Instance, [10]);
/// </code>
/// </example>
public abstract class RowReader<T>
{
    /// <summary>
    /// Checks the columns of a result before its first row is read, once per result (so not per row). The default
    /// checks nothing; a generated reader compares the column count, names and types with the ones it was made for and
    /// throws an exception naming the difference, rather than reading a wrong column.
    /// </summary>
    /// <param name="reader">The reader, positioned on the first row of the result.</param>
    public virtual void CheckColumns(NpgsqlDataReader reader)
    {
    }

    /// <summary>Reads the row <paramref name="reader"/> is positioned on.</summary>
    /// <param name="reader">The reader, positioned on a row.</param>
    /// <returns>The row.</returns>
    public abstract T Read(NpgsqlDataReader reader);
}
