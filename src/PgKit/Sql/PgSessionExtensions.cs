using System.Runtime.CompilerServices;
using Npgsql;

namespace PgKit;

/// <summary>
/// The SQL helpers of <see cref="PgConnectionExtensions"/> on an <see cref="IPgSession"/>: each gets the session's
/// connection and forwards to the <see cref="NpgsqlConnection"/> helper of the same name, so it runs inside the
/// session's transaction when there is one.
/// </summary>
public static class PgSessionExtensions
{
    /// <summary>Inserts one row and returns it as stored (<c>INSERT ... RETURNING *</c>), defaults and generated keys included.</summary>
    /// <typeparam name="T">The type to read the inserted row as.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="values">The column values: an anonymous object, a record/class (<c>[DatabaseGenerated]</c> properties are skipped) or a dictionary.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The inserted row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">A constraint rejected the row: unique, foreign key, not-null or check (see <see cref="PgErrors"/>).</exception>
    public static Task<T> InsertAsync<T>(this IPgSession session, TableName table, object values, CancellationToken cancellationToken = default)
        => Forward(session, (table, values), static (c, a, ct) => c.InsertAsync<T>(a.table, a.values, ct), cancellationToken);

    /// <summary>
    /// Inserts many rows and returns how many were inserted. From <paramref name="copyThreshold"/> rows on, the rows are
    /// streamed with binary COPY (one statement); below it they go as multi-row <c>INSERT ... VALUES</c>, split into
    /// statements of at most 65535 parameters and sent as one batch. Either way the insert is all-or-nothing.
    /// </summary>
    /// <typeparam name="TValues">The row type: anonymous objects, records/classes or dictionaries.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="rows">The rows; the first row fixes the columns and every other row must have the same ones.</param>
    /// <param name="copyThreshold">The row count from which binary COPY is used; <see cref="int.MaxValue"/> never uses it, 0 always does.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The number of rows inserted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is empty, has a null row, rows with different columns, or an invalid column name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="copyThreshold"/> is negative.</exception>
    /// <exception cref="PostgresException">A constraint rejected a row (nothing is inserted).</exception>
    public static Task<long> InsertManyAsync<TValues>(this IPgSession session, TableName table, IEnumerable<TValues> rows, int copyThreshold = PgConnectionExtensions.DefaultCopyThreshold, CancellationToken cancellationToken = default)
        => Forward(session, (table, rows, copyThreshold), static (c, a, ct) => c.InsertManyAsync<TValues>(a.table, a.rows, a.copyThreshold, ct), cancellationToken);

    /// <summary>
    /// Inserts a row or, when it conflicts on <paramref name="conflictColumns"/>, updates every other column from it
    /// (<c>ON CONFLICT (...) DO UPDATE SET col = EXCLUDED.col</c>) or leaves the existing row alone (<c>DO NOTHING</c>).
    /// </summary>
    /// <typeparam name="T">The type to read the stored row as.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="values">The column values, as for <c>InsertAsync</c>.</param>
    /// <param name="conflictColumns">The columns of the unique constraint to detect conflicts on; defaults to the <c>[Key]</c> properties of <paramref name="values"/>.</param>
    /// <param name="onConflict">What to do on conflict.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The inserted or updated row; <c>default</c> when <see cref="OnConflict.DoNothing"/> skipped a conflicting row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="values"/> has no columns; no conflict columns were given or found; or, with <see cref="OnConflict.Update"/>, every column is a conflict column.
    /// </exception>
    /// <exception cref="PostgresException">A constraint rejected the row.</exception>
    public static Task<T?> UpsertAsync<T>(this IPgSession session, TableName table, object values, IReadOnlyList<string>? conflictColumns = null, OnConflict onConflict = OnConflict.Update, CancellationToken cancellationToken = default)
        => Forward(session, (table, values, conflictColumns, onConflict), static (c, a, ct) => c.UpsertAsync<T>(a.table, a.values, a.conflictColumns, a.onConflict, ct), cancellationToken);

    /// <summary>Runs a query with positional parameters and returns its rows.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar (first column).</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values; sent to PostgreSQL unchanged when it has arguments.</param>
    /// <param name="args">The values of <c>$1..$n</c>, for example <c>[authorId, "draft"]</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<IReadOnlyList<T>> QueryAsync<T>(this IPgSession session, string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(session, (sql, args), static (c, a, ct) => c.QueryAsync<T>(a.sql, a.args, ct), cancellationToken);

    /// <summary>Runs a query expected to return at most one row.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar (first column).</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row, or <c>default</c> when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The query returned more than one row.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this IPgSession session, string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(session, (sql, args), static (c, a, ct) => c.QuerySingleOrDefaultAsync<T>(a.sql, a.args, ct), cancellationToken);

    /// <summary>Runs a statement with positional parameters and returns the number of rows it affected.</summary>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="sql">The statement, using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The rows affected, summed over the statements; -1 when PostgreSQL reports no row count (for example for DDL).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<long> ExecuteAsync(this IPgSession session, string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(session, (sql, args), static (c, a, ct) => c.ExecuteAsync(a.sql, a.args, ct), cancellationToken);

    /// <summary>Runs a query and returns the first column of its first row.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The value; <c>default</c> when there is no row or the value is NULL.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<T?> ScalarAsync<T>(this IPgSession session, string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(session, (sql, args), static (c, a, ct) => c.ScalarAsync<T>(a.sql, a.args, ct), cancellationToken);

    /// <summary>
    /// Runs a query and returns its rows as one JSON array, built by PostgreSQL
    /// (<c>SELECT coalesce(json_agg(t), '[]'::json) FROM (sql) t</c>): <c>[]</c> when there are no rows, never null.
    /// </summary>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="sql">The query (a trailing semicolon is ignored), using <c>$1</c>, <c>$2</c>, ... for values.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The JSON array text, one object per row keyed by column name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    public static Task<string> QueryJsonAsync(this IPgSession session, string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(session, (sql, args), static (c, a, ct) => c.QueryJsonAsync(a.sql, a.args, ct), cancellationToken);

    /// <summary>
    /// Runs the SQL script in a file (read asynchronously). Several statements are allowed: Npgsql splits the script on
    /// its semicolons and sends the statements in one batch, which PostgreSQL runs atomically.
    /// </summary>
    /// <remarks>
    /// The script cannot use psql meta-commands (<c>\connect</c>, <c>\copy</c>...), statements that refuse to run in a
    /// transaction (<c>CREATE DATABASE</c>, <c>CREATE INDEX CONCURRENTLY</c>), or SQL-standard function bodies
    /// (<c>BEGIN ATOMIC ... END</c>, whose inner semicolons Npgsql would split on). Dollar-quoted bodies are fine.
    /// </remarks>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="path">The path of the <c>.sql</c> file, UTF-8.</param>
    /// <param name="cancellationToken">Cancels reading and running the script.</param>
    /// <returns>A task that completes when the script has run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or the file is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task ExecuteFileAsync(this IPgSession session, string path, CancellationToken cancellationToken = default)
        => Forward(session, path, static (c, a, ct) => c.ExecuteFileAsync(a, ct), cancellationToken);

    /// <summary>Returns the first row matching a where-map (<c>SELECT * ... WHERE ... LIMIT 1</c>), or <c>default</c>.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed; a <see langword="null"/> value means <c>IS NULL</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row, or <c>default</c> when none matches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<T?> GetAsync<T>(this IPgSession session, TableName table, object where, CancellationToken cancellationToken = default)
        => Forward(session, (table, where), static (c, a, ct) => c.GetAsync<T>(a.table, a.where, ct), cancellationToken);

    /// <summary>Returns the first row matching a raw condition (<c>SELECT * ... WHERE (condition) LIMIT 1</c>), or <c>default</c>.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters, for example <c>"age &gt; $1 AND name = $2"</c>.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row, or <c>default</c> when none matches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<T?> GetAsync<T>(this IPgSession session, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(session, (table, condition, args), static (c, a, ct) => c.GetAsync<T>(a.table, a.condition, a.args, ct), cancellationToken);

    /// <summary>Returns all rows matching a where-map, optionally ordered and paged.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>); <see langword="null"/> selects every row.</param>
    /// <param name="orderBy">The ordering, for example <c>"created_at DESC, id"</c>.</param>
    /// <param name="limit">The maximum number of rows.</param>
    /// <param name="offset">The number of rows to skip.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> or <paramref name="table"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> or <paramref name="offset"/> is negative.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<IReadOnlyList<T>> SelectAsync<T>(this IPgSession session, TableName table, object? where = null, OrderBy? orderBy = null, int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
        => Forward(session, (table, where, orderBy, limit, offset), static (c, a, ct) => c.SelectAsync<T>(a.table, a.where, a.orderBy, a.limit, a.offset, ct), cancellationToken);

    /// <summary>Returns all rows matching a raw condition, optionally ordered and paged.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters, for example <c>"age &gt; $1"</c>.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="orderBy">The ordering, for example <c>"created_at DESC, id"</c>.</param>
    /// <param name="limit">The maximum number of rows.</param>
    /// <param name="offset">The number of rows to skip.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> or <paramref name="offset"/> is negative.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static Task<IReadOnlyList<T>> SelectAsync<T>(this IPgSession session, TableName table, string condition, IReadOnlyList<object?>? args = null, OrderBy? orderBy = null, int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
        => Forward(session, (table, condition, args, orderBy, limit, offset), static (c, a, ct) => c.SelectAsync<T>(a.table, a.condition, a.args, a.orderBy, a.limit, a.offset, ct), cancellationToken);

    /// <summary>
    /// Streams the rows matching a where-map without buffering them. The connection is busy until the enumeration ends;
    /// cancel through <paramref name="cancellationToken"/> or <c>WithCancellation</c>.
    /// </summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>); <see langword="null"/> streams every row.</param>
    /// <param name="orderBy">The ordering.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, read from the server as they are enumerated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> or <paramref name="table"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name (thrown at the call, not at enumeration).</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static async IAsyncEnumerable<T> StreamAsync<T>(this IPgSession session, TableName table, object? where = null, OrderBy? orderBy = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await Connect(session, cancellationToken).ConfigureAwait(false);
        await foreach (var row in connection.StreamAsync<T>(table, where, orderBy, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>Streams the rows matching a raw condition without buffering them.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="orderBy">The ordering.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, read from the server as they are enumerated.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static async IAsyncEnumerable<T> StreamAsync<T>(this IPgSession session, TableName table, string condition, IReadOnlyList<object?>? args = null, OrderBy? orderBy = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await Connect(session, cancellationToken).ConfigureAwait(false);
        await foreach (var row in connection.StreamAsync<T>(table, condition, args, orderBy, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>
    /// Runs a query with positional parameters and streams its rows without buffering them. The connection is busy until
    /// the enumeration ends; cancel through <paramref name="cancellationToken"/> or <c>WithCancellation</c>.
    /// </summary>
    /// <remarks>
    /// <paramref name="args"/> is required, even when empty (<c>[]</c>): <c>StreamAsync&lt;T&gt;("authors")</c> streams the
    /// table <c>authors</c> (the table overload), and the two must not be confused.
    /// </remarks>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar (first column).</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="sql">The query, using <c>$1</c>, <c>$2</c>, ... for values; sent to PostgreSQL unchanged when it has arguments.</param>
    /// <param name="args">The values of <c>$1..$n</c>, for example <c>[authorId]</c>; <c>[]</c> for none.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, read from the server as they are enumerated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sql"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    public static async IAsyncEnumerable<T> StreamAsync<T>(this IPgSession session, string sql, IReadOnlyList<object?> args, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await Connect(session, cancellationToken).ConfigureAwait(false);
        await foreach (var row in connection.StreamAsync<T>(sql, args, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>Counts the rows matching a where-map (<c>SELECT count(*)</c>).</summary>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>); <see langword="null"/> counts every row.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The number of rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> or <paramref name="table"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    public static Task<long> CountAsync(this IPgSession session, TableName table, object? where = null, CancellationToken cancellationToken = default)
        => Forward(session, (table, where), static (c, a, ct) => c.CountAsync(a.table, a.where, ct), cancellationToken);

    /// <summary>Counts the rows matching a raw condition.</summary>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The number of rows.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    public static Task<long> CountAsync(this IPgSession session, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(session, (table, condition, args), static (c, a, ct) => c.CountAsync(a.table, a.condition, a.args, ct), cancellationToken);

    /// <summary>Tells whether any row matches a where-map (<c>SELECT EXISTS (...)</c>).</summary>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>); <see langword="null"/>: is the table non-empty.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns><see langword="true"/> when at least one row matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> or <paramref name="table"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    public static Task<bool> ExistsAsync(this IPgSession session, TableName table, object? where = null, CancellationToken cancellationToken = default)
        => Forward(session, (table, where), static (c, a, ct) => c.ExistsAsync(a.table, a.where, ct), cancellationToken);

    /// <summary>Tells whether any row matches a raw condition.</summary>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns><see langword="true"/> when at least one row matches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    public static Task<bool> ExistsAsync(this IPgSession session, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(session, (table, condition, args), static (c, a, ct) => c.ExistsAsync(a.table, a.condition, a.args, ct), cancellationToken);

    /// <summary>Updates the rows matching a where-map and returns every updated row (<c>UPDATE ... RETURNING *</c>).</summary>
    /// <typeparam name="T">The type to read the updated rows as.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs selecting the rows, ANDed (<see langword="null"/> value: <c>IS NULL</c>). Required: to update every row, use <c>ExecuteAsync</c>.</param>
    /// <param name="set">The columns to change and their new values (<see langword="null"/> sets NULL).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>Every updated row; empty when none matched.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> or <paramref name="set"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">A constraint rejected an updated row (nothing is updated).</exception>
    public static Task<IReadOnlyList<T>> UpdateAsync<T>(this IPgSession session, TableName table, object where, object set, CancellationToken cancellationToken = default)
        => Forward(session, (table, where, set), static (c, a, ct) => c.UpdateAsync<T>(a.table, a.where, a.set, ct), cancellationToken);

    /// <summary>Deletes the rows matching a where-map and returns how many were deleted.</summary>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>). Required: to empty a table, use <c>ExecuteAsync</c>.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The number of rows deleted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">A deleted row is still referenced.</exception>
    public static Task<long> DeleteAsync(this IPgSession session, TableName table, object where, CancellationToken cancellationToken = default)
        => Forward(session, (table, where), static (c, a, ct) => c.DeleteAsync(a.table, a.where, ct), cancellationToken);

    /// <summary>Deletes the rows matching a where-map and returns them (<c>DELETE ... RETURNING *</c>).</summary>
    /// <typeparam name="T">The type to read the deleted rows as.</typeparam>
    /// <param name="session">The session whose connection runs the statement.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The deleted rows.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">A deleted row is still referenced.</exception>
    public static Task<IReadOnlyList<T>> DeleteReturningAsync<T>(this IPgSession session, TableName table, object where, CancellationToken cancellationToken = default)
        => Forward(session, (table, where), static (c, a, ct) => c.DeleteReturningAsync<T>(a.table, a.where, ct), cancellationToken);

    private static ValueTask<NpgsqlConnection> Connect(IPgSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.GetConnectionAsync(cancellationToken);
    }

    // Calls the connection's helper directly when the session already has its connection (the usual case after the first
    // statement of a request), so the twin adds no task of its own; otherwise waits for the connection first.
    internal static Task<TResult> Forward<TArgs, TResult>(
        IPgSession session, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
    {
        var connection = Connect(session, cancellationToken);
        return connection.IsCompletedSuccessfully ? call(connection.Result, args, cancellationToken) : ForwardAsync(connection, args, call, cancellationToken);

        static async Task<TResult> ForwardAsync(
            ValueTask<NpgsqlConnection> connection, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
            => await call(await connection.ConfigureAwait(false), args, cancellationToken).ConfigureAwait(false);
    }

    private static Task Forward<TArgs>(IPgSession session, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var connection = Connect(session, cancellationToken);
        return connection.IsCompletedSuccessfully ? call(connection.Result, args, cancellationToken) : ForwardAsync(connection, args, call, cancellationToken);

        static async Task ForwardAsync(
            ValueTask<NpgsqlConnection> connection, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, Task> call, CancellationToken cancellationToken)
            => await call(await connection.ConfigureAwait(false), args, cancellationToken).ConfigureAwait(false);
    }
}
