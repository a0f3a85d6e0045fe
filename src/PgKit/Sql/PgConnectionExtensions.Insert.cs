using System.Diagnostics.CodeAnalysis;
using Npgsql;
using PgKit.Mapping;
using PgKit.Sql;

namespace PgKit;

public static partial class PgConnectionExtensions
{
    // PostgreSQL's protocol counts a statement's parameters in 16 bits.
    private const int MaxParameters = 65535;

    /// <summary>Inserts one row and returns it as stored (<c>INSERT ... RETURNING *</c>), defaults and generated keys included.</summary>
    /// <typeparam name="T">The type to read the inserted row as.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="values">The column values: an anonymous object, a record/class (<c>[DatabaseGenerated]</c> properties are skipped) or a dictionary.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The inserted row.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> has no columns or an invalid column name.</exception>
    /// <exception cref="PostgresException">A constraint rejected the row: unique, foreign key, not-null or check (see <see cref="PgErrors"/>).</exception>
    /// <exception cref="InvalidOperationException">
    /// PostgreSQL returned no row: a <c>BEFORE INSERT</c> trigger returned NULL (or a rule rewrote the insert), so nothing
    /// was inserted. Use <c>ExecuteSqlAsync</c>, which returns the rows affected, where that is expected.
    /// </exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T> InsertAsync<T>(this NpgsqlConnection db, TableName table, object values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var call = SqlBuilder.Build(new SqlSpec { Kind = SqlKind.Insert, Table = table, First = ColumnMap.ForValues(values, nameof(values)) });

        // Required: a suppressed row throws, so the task's result is never null.
        return Executor.FirstAsync<T>(db, call, Executor.First.Required, table, cancellationToken)!;
    }

    /// <summary>
    /// Inserts many rows and returns how many were inserted. From <paramref name="copyThreshold"/> rows on, the rows are
    /// streamed with binary COPY (one statement); below it they go as multi-row <c>INSERT ... VALUES</c>, split into
    /// statements of at most 65535 parameters and sent as one batch. Either way the insert is all-or-nothing.
    /// </summary>
    /// <typeparam name="TValues">The row type: anonymous objects, records/classes or dictionaries.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
    /// <param name="table">The table.</param>
    /// <param name="rows">The rows; the first row fixes the columns and every other row must have the same ones.</param>
    /// <param name="copyThreshold">The row count from which binary COPY is used; <see cref="int.MaxValue"/> never uses it, 0 always does.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The number of rows inserted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is empty, has a null row, rows with different columns, or an invalid column name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="copyThreshold"/> is negative.</exception>
    /// <exception cref="PostgresException">A constraint rejected a row (nothing is inserted).</exception>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static async Task<long> InsertManyAsync<TValues>(
        this NpgsqlConnection db, TableName table, IEnumerable<TValues> rows, int copyThreshold = DefaultCopyThreshold,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(copyThreshold);
        var list = rows as IReadOnlyList<TValues> ?? [.. rows];
        if (list.Count == 0)
        {
            throw new ArgumentException("rows contains no rows: pass at least one.", nameof(rows));
        }

        if (list[0] is null)
        {
            throw new ArgumentException("rows[0] is null.", nameof(rows));
        }

        var shape = RowShape.Of(list[0]!, nameof(rows));
        if (list.Count >= copyThreshold)
        {
            return await BulkCopy.ImportAsync(db, table, shape, list, cancellationToken).ConfigureAwait(false);
        }

        var rowsPerStatement = MaxParameters / shape.Columns.Length;
        var statements = new List<Statement>((list.Count / rowsPerStatement) + 1);
        var values = new object?[shape.Columns.Length];
        for (var start = 0; start < list.Count; start += rowsPerStatement)
        {
            var statement = new Statement().Append("INSERT INTO ").Append(table.Sql).Append(" (");
            for (var i = 0; i < shape.Columns.Length; i++)
            {
                statement.Append(i == 0 ? string.Empty : ", ").AppendColumn(shape.Columns[i]);
            }

            statement.Append(") VALUES ");
            var end = Math.Min(list.Count, start + rowsPerStatement);
            for (var r = start; r < end; r++)
            {
                shape.Read(list[r], r, values, nameof(rows));
                statement.Append(r == start ? "(" : ", (");
                for (var i = 0; i < values.Length; i++)
                {
                    statement.Append(i == 0 ? string.Empty : ", ").AppendParameter(values[i], forColumn: true);
                }

                statement.Append(")");
            }

            statements.Add(statement);
        }

        return await Executor.ExecuteBatchAsync(db, statements, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts a row or, when it conflicts on <paramref name="conflictColumns"/>, updates every other column from it
    /// (<c>ON CONFLICT (...) DO UPDATE SET col = EXCLUDED.col</c>) or leaves the existing row alone (<c>DO NOTHING</c>).
    /// </summary>
    /// <typeparam name="T">The type to read the stored row as.</typeparam>
    /// <param name="db">The connection or session that runs the statement; a closed connection is opened for the call and closed again.</param>
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
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> UpsertAsync<T>(
        this NpgsqlConnection db, TableName table, object values, IReadOnlyList<string>? conflictColumns = null,
        OnConflict onConflict = OnConflict.Update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = ColumnMap.ForValues(values, nameof(values));
        conflictColumns ??= values is System.Collections.IDictionary or IReadOnlyDictionary<string, object?>
            ? []
            : [.. TypeMetadata.For(values.GetType()).Keys.Select(k => k.Column)];
        if (conflictColumns.Count == 0)
        {
            throw new ArgumentException("Pass conflictColumns: values has no [Key] property to detect conflicts on.", nameof(conflictColumns));
        }

        var statement = new Statement().Append("INSERT INTO ").Append(table.Sql).AppendColumnList(columns)
            .Append(" VALUES ").AppendValuesRow(columns, 0).Append(" ON CONFLICT (");
        for (var i = 0; i < conflictColumns.Count; i++)
        {
            statement.Append(i == 0 ? string.Empty : ", ").Append(PgIdentifier.Quote(conflictColumns[i], nameof(conflictColumns)));
        }

        if (onConflict == OnConflict.DoNothing)
        {
            statement.Append(") DO NOTHING");
        }
        else
        {
            var updates = new List<string>(columns.Count);
            for (var i = 0; i < columns.Count; i++)
            {
                if (!conflictColumns.Contains(columns.Column(i), StringComparer.Ordinal))
                {
                    updates.Add(columns.Column(i));
                }
            }

            if (updates.Count == 0)
            {
                throw new ArgumentException(
                    "Every column of values is a conflict column, so there is nothing to update: use OnConflict.DoNothing.", nameof(values));
            }

            statement.Append(") DO UPDATE SET ");
            for (var i = 0; i < updates.Count; i++)
            {
                var column = PgIdentifier.Quote(updates[i]);
                statement.Append(i == 0 ? string.Empty : ", ").Append(column).Append(" = EXCLUDED.").Append(column);
            }
        }

        statement.Append(" RETURNING *");
        return Executor.FirstAsync<T>(db, SqlCall.From(statement), Executor.First.OrDefault, cancellationToken);
    }
}
