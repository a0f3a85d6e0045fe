using Npgsql;
using PgKit.Sql;

namespace PgKit;

public static partial class PgConnectionExtensions
{
    /// <summary>Updates the rows matching a where-map and returns every updated row (<c>UPDATE ... RETURNING *</c>).</summary>
    /// <typeparam name="T">The type to read the updated rows as.</typeparam>
    /// <param name="connection">The connection.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs selecting the rows, ANDed (<see langword="null"/> value: <c>IS NULL</c>). Required: to update every row, use <c>ExecuteAsync</c>.</param>
    /// <param name="set">The columns to change and their new values (<see langword="null"/> sets NULL).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>Every updated row; empty when none matched.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> or <paramref name="set"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PgKitDbException">A constraint rejected an updated row (nothing is updated).</exception>
    public static async Task<IReadOnlyList<T>> UpdateAsync<T>(
        this NpgsqlConnection connection, TableName table, object where, object set, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(where);
        var statement = new Statement().Append("UPDATE ").Append(table.Sql).Append(" SET ");
        var assignments = ColumnValues.From(set, nameof(set), forWrite: true);
        var whereMap = WhereMap(where);
        for (var i = 0; i < assignments.Count; i++)
        {
            statement.Append(i == 0 ? string.Empty : ", ").AppendColumn(assignments[i].Key).Append(" = ").AppendParameter(assignments[i].Value, forColumn: true);
        }

        statement.AppendWhere(whereMap).Append(" RETURNING *");
        return await Executor.QueryAsync<T>(connection, statement, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the rows matching a where-map and returns how many were deleted.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>). Required: to empty a table, use <c>ExecuteAsync</c>.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The number of rows deleted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="ForeignKeyViolationException">A deleted row is still referenced.</exception>
    public static Task<long> DeleteAsync(this NpgsqlConnection connection, TableName table, object where, CancellationToken cancellationToken = default)
        => Executor.ExecuteAsync(connection, DeleteStatement(table, where, returning: false), cancellationToken);

    /// <summary>Deletes the rows matching a where-map and returns them (<c>DELETE ... RETURNING *</c>).</summary>
    /// <typeparam name="T">The type to read the deleted rows as.</typeparam>
    /// <param name="connection">The connection.</param>
    /// <param name="table">The table.</param>
    /// <param name="where">Column = value pairs, ANDed (<see langword="null"/> value: <c>IS NULL</c>).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The deleted rows.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="where"/> has no columns or an invalid column name.</exception>
    /// <exception cref="ForeignKeyViolationException">A deleted row is still referenced.</exception>
    public static async Task<IReadOnlyList<T>> DeleteReturningAsync<T>(
        this NpgsqlConnection connection, TableName table, object where, CancellationToken cancellationToken = default)
        => await Executor.QueryAsync<T>(connection, DeleteStatement(table, where, returning: true), cancellationToken).ConfigureAwait(false);

    private static Statement DeleteStatement(TableName table, object where, bool returning)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(where);
        var statement = new Statement().Append("DELETE FROM ").Append(table.Sql).AppendWhere(WhereMap(where));
        return returning ? statement.Append(" RETURNING *") : statement;
    }
}
