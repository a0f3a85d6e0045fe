using System.Diagnostics.CodeAnalysis;
using PgKit.Mapping;
using Npgsql;
using PgKit.Sql;

namespace PgKit;

public static partial class PgConnectionExtensions
{
    /// <summary>Runs a query with positional parameters and returns its rows.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar (first column).</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values; sent to PostgreSQL unchanged when it has arguments.</param>
    /// <param name="args">The values of <c>$1..$n</c>, for example <c>[authorId, "draft"]</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> FetchAsync<T>(
        this NpgsqlConnection db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Executor.QueryAsync(db, SqlCall.Raw(sql, args), RowReaders.Find<T>(sql), cancellationToken);

    /// <summary>Runs a query and returns its first row (rows after it are not read), like asyncpg's <c>fetchrow</c>.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar (first column).</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The first row, or <c>default</c> when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> FetchRowAsync<T>(
        this NpgsqlConnection db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Executor.FirstAsync(db, SqlCall.Raw(sql, args), RowReaders.Find<T>(sql), cancellationToken);

    /// <summary>Runs a statement with positional parameters and returns the number of rows it affected.</summary>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The statement, using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The rows affected, summed over the statements; -1 when PostgreSQL reports no row count (for example for DDL).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<long> ExecuteSqlAsync(
        this NpgsqlConnection db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Executor.ExecuteAsync(db, SqlCall.Raw(sql, args), cancellationToken);

    /// <summary>Runs a query and returns the first column of its first row.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The value; <c>default</c> when there is no row or the value is NULL.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<T?> FetchValueAsync<T>(
        this NpgsqlConnection db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Executor.ScalarAsync<T>(db, SqlCall.Raw(sql, args), cancellationToken);

    /// <summary>
    /// Runs a query with positional parameters and streams its rows without buffering them. The connection is busy until
    /// the enumeration ends; cancel through <paramref name="cancellationToken"/> or <c>WithCancellation</c>.
    /// </summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar (first column).</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values; sent to PostgreSQL unchanged when it has arguments.</param>
    /// <param name="args">The values of <c>$1..$n</c>, for example <c>[authorId]</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, read from the server as they are enumerated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty (thrown at the call, not at enumeration).</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static IAsyncEnumerable<T> FetchStreamAsync<T>(
        this NpgsqlConnection db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Executor.StreamAsync(db, SqlCall.Raw(sql, args), RowReaders.Find<T>(sql), cancellationToken);
    }

    /// <summary>
    /// Runs a query and returns its rows as one JSON array, built by PostgreSQL
    /// (<c>SELECT coalesce(json_agg(t), '[]'::json) FROM (sql) t</c>): <c>[]</c> when there are no rows, never null.
    /// </summary>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="sql">The query (a trailing semicolon is ignored), using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The JSON array text, one object per row keyed by column name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    public static async Task<string> FetchJsonAsync(
        this NpgsqlConnection db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var inner = sql.TrimEnd().TrimEnd(';');
        var call = SqlCall.Raw("SELECT coalesce(json_agg(t), '[]'::json)::text FROM (\n" + inner + "\n) t", args, nameof(sql));
        return await Executor.ScalarAsync<string>(db, call, cancellationToken).ConfigureAwait(false) ?? "[]";
    }

    /// <summary>
    /// Runs the SQL script in a file (read asynchronously). Several statements are allowed: Npgsql splits the script on
    /// its semicolons and sends the statements in one batch, which PostgreSQL runs atomically.
    /// </summary>
    /// <remarks>
    /// The script cannot use psql meta-commands (<c>\connect</c>, <c>\copy</c>...), statements that refuse to run in a
    /// transaction (<c>CREATE DATABASE</c>, <c>CREATE INDEX CONCURRENTLY</c>), or SQL-standard function bodies
    /// (<c>BEGIN ATOMIC ... END</c>, whose inner semicolons Npgsql would split on). Dollar-quoted bodies are fine.
    /// </remarks>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="path">The path of the <c>.sql</c> file, UTF-8.</param>
    /// <param name="cancellationToken">Cancels reading and running the script.</param>
    /// <returns>A task that completes when the script has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or the file is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static async Task ExecuteFileAsync(this NpgsqlConnection db, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var sql = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new ArgumentException($"The SQL file {PgIdentifier.Display(path)} is empty.", nameof(path));
        }

        await Executor.ExecuteAsync(db, SqlCall.Raw(sql, null, nameof(path)), cancellationToken).ConfigureAwait(false);
    }
}
