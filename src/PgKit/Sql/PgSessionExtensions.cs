using System.Diagnostics.CodeAnalysis;
using PgKit.Mapping;
using System.Runtime.CompilerServices;
using Npgsql;

namespace PgKit;

/// <summary>
/// The SQL helpers of <see cref="PgConnectionExtensions"/> on an <see cref="IPgSession"/> (the per-request <c>Db</c> and
/// <c>Atomic</c> of PgKit.AspNetCore, or PgKit.Testing's <c>TestSession</c>): each gets the session's connection and calls
/// the <see cref="NpgsqlConnection"/> helper of the same name, so it runs inside the session's transaction when there is one.
/// </summary>
/// <remarks>
/// One implementation per helper: the <see cref="NpgsqlConnection"/> methods hold the code and the documentation; the
/// methods here are one-line forwarders that inherit that documentation (<c>inheritdoc</c>). The receiver parameter is
/// named <c>db</c> on both so the inherited documentation fits both. A second receiver is needed at all because
/// <see cref="NpgsqlConnection"/> cannot implement <see cref="IPgSession"/>, and a session must be able to open its
/// connection lazily (asynchronously) on first use.
/// </remarks>
public static class PgSessionExtensions
{
    /// <inheritdoc cref="PgConnectionExtensions.InsertAsync{T}(NpgsqlConnection, TableName, object, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T> InsertAsync<T>(this IPgSession db, TableName table, object values, CancellationToken cancellationToken = default)
        => Forward(db, (table, values), static (c, a, ct) => c.InsertAsync<T>(a.table, a.values, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.InsertManyAsync{TValues}(NpgsqlConnection, TableName, IEnumerable{TValues}, int, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<long> InsertManyAsync<TValues>(
        this IPgSession db, TableName table, IEnumerable<TValues> rows, int copyThreshold = PgConnectionExtensions.DefaultCopyThreshold, CancellationToken cancellationToken = default)
        => Forward(db, (table, rows, copyThreshold), static (c, a, ct) => c.InsertManyAsync<TValues>(a.table, a.rows, a.copyThreshold, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.UpsertAsync{T}(NpgsqlConnection, TableName, object, IReadOnlyList{string}, OnConflict, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> UpsertAsync<T>(
        this IPgSession db, TableName table, object values, IReadOnlyList<string>? conflictColumns = null, OnConflict onConflict = OnConflict.Update, CancellationToken cancellationToken = default)
        => Forward(db, (table, values, conflictColumns, onConflict), static (c, a, ct) => c.UpsertAsync<T>(a.table, a.values, a.conflictColumns, a.onConflict, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.UpdateAsync{T}(NpgsqlConnection, TableName, object, object, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> UpdateAsync<T>(this IPgSession db, TableName table, object where, object set, CancellationToken cancellationToken = default)
        => Forward(db, (table, where, set), static (c, a, ct) => c.UpdateAsync<T>(a.table, a.where, a.set, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.DeleteAsync(NpgsqlConnection, TableName, object, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<long> DeleteAsync(this IPgSession db, TableName table, object where, CancellationToken cancellationToken = default)
        => Forward(db, (table, where), static (c, a, ct) => c.DeleteAsync(a.table, a.where, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.DeleteReturningAsync{T}(NpgsqlConnection, TableName, object, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> DeleteReturningAsync<T>(this IPgSession db, TableName table, object where, CancellationToken cancellationToken = default)
        => Forward(db, (table, where), static (c, a, ct) => c.DeleteReturningAsync<T>(a.table, a.where, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.GetAsync{T}(NpgsqlConnection, TableName, object, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> GetAsync<T>(this IPgSession db, TableName table, object where, CancellationToken cancellationToken = default)
        => Forward(db, (table, where), static (c, a, ct) => c.GetAsync<T>(a.table, a.where, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.GetAsync{T}(NpgsqlConnection, TableName, string, IReadOnlyList{object}, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> GetAsync<T>(this IPgSession db, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (table, condition, args), static (c, a, ct) => c.GetAsync<T>(a.table, a.condition, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.SelectAsync{T}(NpgsqlConnection, TableName, object, OrderBy, int?, int?, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> SelectAsync<T>(
        this IPgSession db, TableName table, object? where = null, OrderBy? orderBy = null, int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
        => Forward(db, (table, where, orderBy, limit, offset), static (c, a, ct) => c.SelectAsync<T>(a.table, a.where, a.orderBy, a.limit, a.offset, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.SelectAsync{T}(NpgsqlConnection, TableName, string, IReadOnlyList{object}, OrderBy, int?, int?, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> SelectAsync<T>(
        this IPgSession db, TableName table, string condition, IReadOnlyList<object?>? args = null, OrderBy? orderBy = null, int? limit = null, int? offset = null,
        CancellationToken cancellationToken = default)
        => Forward(db, (table, condition, args, orderBy, limit, offset), static (c, a, ct) => c.SelectAsync<T>(a.table, a.condition, a.args, a.orderBy, a.limit, a.offset, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.SelectStreamAsync{T}(NpgsqlConnection, TableName, object, OrderBy, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static IAsyncEnumerable<T> SelectStreamAsync<T>(this IPgSession db, TableName table, object? where = null, OrderBy? orderBy = null, CancellationToken cancellationToken = default)
        => ForwardStream(db, (table, where, orderBy), static (c, a, ct) => c.SelectStreamAsync<T>(a.table, a.where, a.orderBy, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.SelectStreamAsync{T}(NpgsqlConnection, TableName, string, IReadOnlyList{object}, OrderBy, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static IAsyncEnumerable<T> SelectStreamAsync<T>(
        this IPgSession db, TableName table, string condition, IReadOnlyList<object?>? args = null, OrderBy? orderBy = null, CancellationToken cancellationToken = default)
        => ForwardStream(db, (table, condition, args, orderBy), static (c, a, ct) => c.SelectStreamAsync<T>(a.table, a.condition, a.args, a.orderBy, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.CountAsync(NpgsqlConnection, TableName, object, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<long> CountAsync(this IPgSession db, TableName table, object? where = null, CancellationToken cancellationToken = default)
        => Forward(db, (table, where), static (c, a, ct) => c.CountAsync(a.table, a.where, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.CountAsync(NpgsqlConnection, TableName, string, IReadOnlyList{object}, CancellationToken)"/>
    public static Task<long> CountAsync(this IPgSession db, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (table, condition, args), static (c, a, ct) => c.CountAsync(a.table, a.condition, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.ExistsAsync(NpgsqlConnection, TableName, object, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<bool> ExistsAsync(this IPgSession db, TableName table, object? where = null, CancellationToken cancellationToken = default)
        => Forward(db, (table, where), static (c, a, ct) => c.ExistsAsync(a.table, a.where, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.ExistsAsync(NpgsqlConnection, TableName, string, IReadOnlyList{object}, CancellationToken)"/>
    public static Task<bool> ExistsAsync(this IPgSession db, TableName table, string condition, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (table, condition, args), static (c, a, ct) => c.ExistsAsync(a.table, a.condition, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.FetchAsync{T}(NpgsqlConnection, string, IReadOnlyList{object}, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> FetchAsync<T>(this IPgSession db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (sql, args), static (c, a, ct) => c.FetchAsync<T>(a.sql, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.FetchRowAsync{T}(NpgsqlConnection, string, IReadOnlyList{object}, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> FetchRowAsync<T>(this IPgSession db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (sql, args), static (c, a, ct) => c.FetchRowAsync<T>(a.sql, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.FetchAsync{T}(NpgsqlConnection, string, RowReader{T}, IReadOnlyList{object}, CancellationToken)"/>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = PgConnectionExtensions.OverloadJustification)]
    public static Task<IReadOnlyList<T>> FetchAsync<T>(this IPgSession db, string sql, RowReader<T> reader, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (sql, reader, args), static (c, a, ct) => c.FetchAsync(a.sql, a.reader, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.FetchRowAsync{T}(NpgsqlConnection, string, RowReader{T}, IReadOnlyList{object}, CancellationToken)"/>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = PgConnectionExtensions.OverloadJustification)]
    public static Task<T?> FetchRowAsync<T>(this IPgSession db, string sql, RowReader<T> reader, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (sql, reader, args), static (c, a, ct) => c.FetchRowAsync(a.sql, a.reader, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.FetchStreamAsync{T}(NpgsqlConnection, string, RowReader{T}, IReadOnlyList{object}, CancellationToken)"/>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = PgConnectionExtensions.OverloadJustification)]
    public static IAsyncEnumerable<T> FetchStreamAsync<T>(this IPgSession db, string sql, RowReader<T> reader, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => ForwardStream(db, (sql, reader, args), static (c, a, ct) => c.FetchStreamAsync(a.sql, a.reader, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.FetchValueAsync{T}(NpgsqlConnection, string, IReadOnlyList{object}, CancellationToken)"/>
    public static Task<T?> FetchValueAsync<T>(this IPgSession db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (sql, args), static (c, a, ct) => c.FetchValueAsync<T>(a.sql, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.FetchStreamAsync{T}(NpgsqlConnection, string, IReadOnlyList{object}, CancellationToken)"/>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static IAsyncEnumerable<T> FetchStreamAsync<T>(this IPgSession db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => ForwardStream(db, (sql, args), static (c, a, ct) => c.FetchStreamAsync<T>(a.sql, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.FetchJsonAsync(NpgsqlConnection, string, IReadOnlyList{object}, CancellationToken)"/>
    public static Task<string> FetchJsonAsync(this IPgSession db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (sql, args), static (c, a, ct) => c.FetchJsonAsync(a.sql, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.ExecuteSqlAsync(NpgsqlConnection, string, IReadOnlyList{object}, CancellationToken)"/>
    public static Task<long> ExecuteSqlAsync(this IPgSession db, [PgSql] string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
        => Forward(db, (sql, args), static (c, a, ct) => c.ExecuteSqlAsync(a.sql, a.args, ct), cancellationToken);

    /// <inheritdoc cref="PgConnectionExtensions.ExecuteFileAsync(NpgsqlConnection, string, CancellationToken)"/>
    public static Task ExecuteFileAsync(this IPgSession db, string path, CancellationToken cancellationToken = default)
        => Forward(db, path, static (c, a, ct) => c.ExecuteFileAsync(a, ct), cancellationToken);

    private static ValueTask<NpgsqlConnection> Connect(IPgSession db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.GetConnectionAsync(cancellationToken);
    }

    // Calls the connection's helper directly when the session already has its connection (the usual case after the first
    // statement of a request), so the forwarder adds no task of its own; otherwise waits for the connection first.
    internal static Task<TResult> Forward<TArgs, TResult>(
        IPgSession db, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
    {
        var connection = Connect(db, cancellationToken);
        return connection.IsCompletedSuccessfully ? call(connection.Result, args, cancellationToken) : ForwardAsync(connection, args, call, cancellationToken);

        static async Task<TResult> ForwardAsync(
            ValueTask<NpgsqlConnection> connection, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
            => await call(await connection.ConfigureAwait(false), args, cancellationToken).ConfigureAwait(false);
    }

    private static Task Forward<TArgs>(IPgSession db, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var connection = Connect(db, cancellationToken);
        return connection.IsCompletedSuccessfully ? call(connection.Result, args, cancellationToken) : ForwardAsync(connection, args, call, cancellationToken);

        static async Task ForwardAsync(
            ValueTask<NpgsqlConnection> connection, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, Task> call, CancellationToken cancellationToken)
            => await call(await connection.ConfigureAwait(false), args, cancellationToken).ConfigureAwait(false);
    }

    // Streams: the connection is asked for when the enumeration starts, and the token given to WithCancellation reaches
    // the connection's stream too (combined with the call's by [EnumeratorCancellation]).
    private static async IAsyncEnumerable<T> ForwardStream<TArgs, T>(
        IPgSession db, TArgs args, Func<NpgsqlConnection, TArgs, CancellationToken, IAsyncEnumerable<T>> open, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await Connect(db, cancellationToken).ConfigureAwait(false);
        await foreach (var row in open(connection, args, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }
}
