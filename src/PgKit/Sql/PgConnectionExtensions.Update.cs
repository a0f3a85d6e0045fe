using System.Diagnostics.CodeAnalysis;
using PgKit.Mapping;
using Npgsql;
using PgKit.Sql;

namespace PgKit;

public static partial class PgConnectionExtensions
{
    /// <summary>Updates the rows matching a where-map and returns every updated row (<c>UPDATE ... RETURNING *</c>).</summary>
    /// <typeparam name="T">The type to read the updated rows as.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs selecting the rows, ANDed (<see langword="null"/> value: <c>IS NULL</c>). Required: to update every row, use <c>ExecuteSqlAsync</c>.</param>
    /// <param name="set">The columns to change and their new values (<see langword="null"/> sets NULL).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>Every updated row; empty when none matched.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> or <paramref name="set"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">A constraint rejected an updated row (nothing is updated).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> UpdateAsync<T>(
        this NpgsqlConnection db, TableName table, object where, object set, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(where);
        var assignments = ColumnMap.ForValues(set, nameof(set));
        var call = SqlBuilder.Build(new SqlSpec { Kind = SqlKind.Update, Table = table, First = assignments, Second = ColumnMap.ForWhere(where, nameof(where)) });
        return Executor.QueryAsync<T>(db, call, cancellationToken);
    }

    /// <summary>Deletes the rows matching a where-map and returns how many were deleted.</summary>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>). Required: to empty a table, use <c>ExecuteSqlAsync</c>.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The number of rows deleted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">A deleted row is still referenced.</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<long> DeleteAsync(this NpgsqlConnection db, TableName table, object where, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(where);
        return Executor.ExecuteAsync(db, Where(SqlKind.Delete, table, where), cancellationToken);
    }

    /// <summary>Deletes the rows matching a where-map and returns them (<c>DELETE ... RETURNING *</c>).</summary>
    /// <typeparam name="T">The type to read the deleted rows as.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The deleted rows.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">A deleted row is still referenced.</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> DeleteReturningAsync<T>(
        this NpgsqlConnection db, TableName table, object where, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(where);
        return Executor.QueryAsync<T>(db, Where(SqlKind.DeleteReturning, table, where), cancellationToken);
    }
}
