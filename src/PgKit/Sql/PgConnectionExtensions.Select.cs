using System.Diagnostics.CodeAnalysis;
using PgKit.Mapping;
using Npgsql;
using PgKit.Sql;

namespace PgKit;

public static partial class PgConnectionExtensions
{
    /// <summary>Returns the first row matching a where-map (<c>SELECT * ... WHERE ... LIMIT 1</c>), or <c>default</c>.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed; a <see langword="null"/> value means <c>IS NULL</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row, or <c>default</c> when none matches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> GetAsync<T>(this NpgsqlConnection db, TableName table, object where, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(where);
        return Executor.FirstAsync<T>(db, Where(SqlKind.Select, table, where, limit: 1), Executor.First.OrDefault, cancellationToken);
    }

    /// <summary>Returns the first row matching a raw condition (<c>SELECT * ... WHERE (condition) LIMIT 1</c>), or <c>default</c>.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters, for example <c>"age &gt; $1 AND name = $2"</c>.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The row, or <c>default</c> when none matches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> GetAsync<T>(
        this NpgsqlConnection db, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Executor.FirstAsync<T>(db, Condition(SqlKind.Select, table, condition, args, limit: 1), Executor.First.OrDefault, cancellationToken);

    /// <summary>Returns all rows matching a where-map, optionally ordered and paged.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>); <see langword="null"/> selects every row.</param>
    /// <param name="orderBy">The ordering, for example <c>"created_at DESC, id"</c>.</param>
    /// <param name="limit">The maximum number of rows.</param>
    /// <param name="offset">The number of rows to skip.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="table"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> or <paramref name="offset"/> is negative.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> SelectAsync<T>(
        this NpgsqlConnection db, TableName table, object? where = null, OrderBy? orderBy = null, int? limit = null, int? offset = null,
        CancellationToken cancellationToken = default)
        => Executor.QueryAsync<T>(db, Where(SqlKind.Select, table, where, orderBy, limit, offset), limit, cancellationToken);

    /// <summary>Returns all rows matching a raw condition, optionally ordered and paged.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
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
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> SelectAsync<T>(
        this NpgsqlConnection db, TableName table, string condition, IReadOnlyList<object?>? args = null, OrderBy? orderBy = null,
        int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
        => Executor.QueryAsync<T>(db, Condition(SqlKind.Select, table, condition, args, orderBy, limit, offset), limit, cancellationToken);

    /// <summary>
    /// Streams the rows matching a where-map without buffering them. The connection is busy until the enumeration ends;
    /// cancel through <paramref name="cancellationToken"/> or <c>WithCancellation</c>.
    /// </summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>); <see langword="null"/> streams every row.</param>
    /// <param name="orderBy">The ordering.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, read from the server as they are enumerated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="table"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name (thrown at the call, not at enumeration).</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static IAsyncEnumerable<T> SelectStreamAsync<T>(
        this NpgsqlConnection db, TableName table, object? where = null, OrderBy? orderBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Executor.StreamAsync<T>(db, Where(SqlKind.Select, table, where, orderBy), cancellationToken);
    }

    /// <summary>Streams the rows matching a raw condition without buffering them.</summary>
    /// <typeparam name="T">The row type: a record, a class, a value tuple or a scalar.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="orderBy">The ordering.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, read from the server as they are enumerated.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    /// <exception cref="PostgresException">PostgreSQL reported an error (see <see cref="PgErrors"/> for the usual ones).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static IAsyncEnumerable<T> SelectStreamAsync<T>(
        this NpgsqlConnection db, TableName table, string condition, IReadOnlyList<object?>? args = null, OrderBy? orderBy = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Executor.StreamAsync<T>(db, Condition(SqlKind.Select, table, condition, args, orderBy), cancellationToken);
    }

    /// <summary>Counts the rows matching a where-map (<c>SELECT count(*)</c>).</summary>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>); <see langword="null"/> counts every row.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The number of rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="table"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<long> CountAsync(this NpgsqlConnection db, TableName table, object? where = null, CancellationToken cancellationToken = default)
        => Executor.ScalarAsync<long>(db, Where(SqlKind.Count, table, where), cancellationToken);

    /// <summary>Counts the rows matching a raw condition.</summary>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The number of rows.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    public static Task<long> CountAsync(
        this NpgsqlConnection db, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Executor.ScalarAsync<long>(db, Condition(SqlKind.Count, table, condition, args), cancellationToken);

    /// <summary>Tells whether any row matches a where-map (<c>SELECT EXISTS (...)</c>).</summary>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>); <see langword="null"/>: is the table non-empty.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns><see langword="true"/> when at least one row matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="table"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<bool> ExistsAsync(this NpgsqlConnection db, TableName table, object? where = null, CancellationToken cancellationToken = default)
        => Executor.ScalarAsync<bool>(db, Where(SqlKind.Exists, table, where), cancellationToken);

    /// <summary>Tells whether any row matches a raw condition.</summary>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="condition">A SQL condition using positional parameters.</param>
    /// <param name="args">The values of <c>$1..$n</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns><see langword="true"/> when at least one row matches.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is empty.</exception>
    public static Task<bool> ExistsAsync(
        this NpgsqlConnection db, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Executor.ScalarAsync<bool>(db, Condition(SqlKind.Exists, table, condition, args), cancellationToken);
}
