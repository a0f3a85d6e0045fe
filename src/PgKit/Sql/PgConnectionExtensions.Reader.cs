using System.Diagnostics.CodeAnalysis;
using Npgsql;
using PgKit.Sql;

namespace PgKit;

// The raw-SQL helpers that read rows with a RowReader<T>: no reflection, so safe for trimming and native AOT.
public static partial class PgConnectionExtensions
{
    // RS0026 guards against overloads a call could not tell apart; these differ by a required RowReader<T>, and keep the
    // optional args and token so that they read exactly like the helpers they mirror.
    internal const string OverloadJustification = "The overloads differ by a required RowReader<T> argument.";

    /// <summary>Runs a query with positional parameters and returns its rows, each read by <paramref name="reader"/> (no reflection: safe for trimming and native AOT).</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values; sent to PostgreSQL unchanged when it has arguments.</param>
    /// <param name="reader">Reads each row; its <see cref="RowReader{T}.CheckColumns"/> runs once, before the first row.</param>
    /// <param name="args">The values of <c>$1..$n</c>, for example <c>[authorId, "draft"]</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="reader"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadJustification)]
    public static Task<IReadOnlyList<T>> FetchAsync<T>(
        this NpgsqlConnection db, string sql, RowReader<T> reader, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Executor.QueryWithAsync(db, SqlCall.Raw(sql, args), reader, cancellationToken);
    }

    /// <summary>Runs a query and returns its first row, read by <paramref name="reader"/> (no reflection: safe for trimming and native AOT).</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="reader">Reads the row; its <see cref="RowReader{T}.CheckColumns"/> runs first.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The first row, or <c>default</c> when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="reader"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadJustification)]
    public static Task<T?> FetchRowAsync<T>(
        this NpgsqlConnection db, string sql, RowReader<T> reader, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Executor.FirstWithAsync(db, SqlCall.Raw(sql, args), reader, cancellationToken);
    }

    /// <summary>
    /// Runs a query with positional parameters and streams its rows, each read by <paramref name="reader"/> (no
    /// reflection: safe for trimming and native AOT). The connection is busy until the enumeration ends.
    /// </summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="reader">Reads each row; its <see cref="RowReader{T}.CheckColumns"/> runs once, before the first row.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, read from the server as they are enumerated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="reader"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty (thrown at the call, not at enumeration).</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadJustification)]
    public static IAsyncEnumerable<T> FetchStreamAsync<T>(
        this NpgsqlConnection db, string sql, RowReader<T> reader, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(reader);
        return Executor.StreamWithAsync(db, SqlCall.Raw(sql, args), reader, cancellationToken);
    }
}
