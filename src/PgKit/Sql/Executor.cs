using System.Data;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Npgsql;
using PgKit.Mapping;

namespace PgKit.Sql;

/// <summary>
/// Runs statements: opens a closed connection for the duration of the call (as Dapper does), runs inside the
/// connection's current transaction if it has one (Npgsql enlists commands automatically). PostgreSQL errors
/// propagate as Npgsql's own <see cref="PostgresException"/>, unchanged, so callers catch them the way Npgsql
/// documents (see <see cref="PgErrors"/> for the matchers).
/// </summary>
/// <remarks>
/// The buffered reads of rows (<c>ReadAllAsync</c>, <c>ReadFirstAsync</c>), the calls a request makes most, are one
/// async frame each, the steps of <see cref="RunAsync"/> written out around the read. The other operations go through
/// <see cref="RunAsync"/>, the one frame that opens and closes: its work is a static lambda over a small state value, so
/// no closure is allocated, and the work's state machine comes from
/// <see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>'s pool.
/// </remarks>
internal static class Executor
{
    private const int MaxPresizedRows = 128;

    /// <summary>What <c>FirstAsync</c> does when there is no row, or more than one.</summary>
    internal enum First : byte
    {
        /// <summary>The first row or default; further rows are skipped.</summary>
        OrDefault,

        /// <summary>The first row; none is an error (an INSERT ... RETURNING whose row a trigger suppressed).</summary>
        Required,

        /// <summary>The first row; none is a <see cref="NotFoundException"/> (a read by key).</summary>
        NotFound,
    }

    // Rows are read by a RowReader<T> when there is one (no reflection), else by PgKit's reflection-based mapping
    // (RowParsers). The overloads that may pass no reader are marked [RequiresUnreferencedCode]/[RequiresDynamicCode],
    // so the analyzer carries the mark to every public helper that reaches them; the ...With overloads take a reader
    // and are not marked. The one place the two meet is Open.

    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> QueryAsync<T>(NpgsqlConnection connection, in SqlCall call, CancellationToken cancellationToken)
        => Query<T>(connection, call, null, null, cancellationToken);

    /// <summary>All rows, read by <paramref name="reader"/>, or by reflection when it is null.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> QueryAsync<T>(NpgsqlConnection connection, in SqlCall call, RowReader<T>? reader, CancellationToken cancellationToken)
        => Query<T>(connection, call, null, reader, cancellationToken);

    /// <summary>All rows; <paramref name="limit"/>, the statement's LIMIT when it has one, sizes the list up front.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<IReadOnlyList<T>> QueryAsync<T>(NpgsqlConnection connection, in SqlCall call, long? limit, CancellationToken cancellationToken)
        => Query<T>(connection, call, limit, null, cancellationToken);

    /// <summary>All rows, read by <paramref name="reader"/> (no reflection).</summary>
    public static Task<IReadOnlyList<T>> QueryWithAsync<T>(NpgsqlConnection connection, in SqlCall call, RowReader<T> reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Query<T>(connection, call, null, reader, cancellationToken);
    }

    private static Task<IReadOnlyList<T>> Query<T>(NpgsqlConnection connection, in SqlCall call, long? limit, RowReader<T>? reader, CancellationToken cancellationToken)
    {
        // Up to a bound, so a generous limit on a small result costs little; past it the list grows as usual.
        var capacity = limit is { } l ? (int)Math.Min(l, MaxPresizedRows) : 0;
        return ReadAllAsync(connection, call.CreateCommand(connection), capacity, reader, cancellationToken);
    }

    /// <summary>The first row, as <paramref name="mode"/> says.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> FirstAsync<T>(NpgsqlConnection connection, in SqlCall call, First mode, CancellationToken cancellationToken)
        => FirstCore<T>(connection, call, mode, null, null, cancellationToken);

    /// <summary>As <see cref="FirstAsync{T}(NpgsqlConnection, in SqlCall, First, CancellationToken)"/>, naming <paramref name="table"/> in the error of <see cref="First.Required"/>.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> FirstAsync<T>(NpgsqlConnection connection, in SqlCall call, First mode, TableName? table, CancellationToken cancellationToken)
        => FirstCore<T>(connection, call, mode, table, null, cancellationToken);

    /// <summary>The first row, read by <paramref name="reader"/>, or by reflection when it is null.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T?> FirstAsync<T>(NpgsqlConnection connection, in SqlCall call, RowReader<T>? reader, CancellationToken cancellationToken)
        => FirstCore<T>(connection, call, First.OrDefault, null, reader, cancellationToken);

    /// <summary>The first row or default, read by <paramref name="reader"/> (no reflection).</summary>
    public static Task<T?> FirstWithAsync<T>(NpgsqlConnection connection, in SqlCall call, RowReader<T> reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return FirstCore<T>(connection, call, First.OrDefault, null, reader, cancellationToken);
    }

    /// <summary>The first row; none throws <see cref="NotFoundException"/> naming <paramref name="entity"/> and <paramref name="key"/>.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<T> FirstOrNotFoundAsync<T, TKey>(NpgsqlConnection connection, in SqlCall call, string entity, TKey key, CancellationToken cancellationToken)
        => ReadFirstAsync<T, TKey>(connection, call.CreateCommand(connection), First.NotFound, null, entity, key, null, cancellationToken)!;

    private static Task<T?> FirstCore<T>(NpgsqlConnection connection, in SqlCall call, First mode, TableName? table, RowReader<T>? reader, CancellationToken cancellationToken)
        => ReadFirstAsync<T, object?>(connection, call.CreateCommand(connection), mode, table, null, null, reader, cancellationToken);

    /// <summary>The first column of the first row as <typeparamref name="T"/>; default for no row or NULL.</summary>
    public static Task<T?> ScalarAsync<T>(NpgsqlConnection connection, in SqlCall call, CancellationToken cancellationToken)
        => RunAsync(connection, call.CreateCommand(connection), 0, static (command, _, ct) => ReadScalarAsync<T>(command, ct), cancellationToken);

    /// <summary>Rows affected.</summary>
    public static Task<long> ExecuteAsync(NpgsqlConnection connection, in SqlCall call, CancellationToken cancellationToken)
        => RunAsync(connection, call.CreateCommand(connection), 0, static (command, _, ct) => ExecuteNonQueryAsync(command, ct), cancellationToken);

    /// <summary>Runs several statements as one batch: one round trip, and atomic even outside a transaction.</summary>
    public static Task<long> ExecuteBatchAsync(NpgsqlConnection connection, List<Statement> statements, CancellationToken cancellationToken)
    {
        if (statements.Count == 1)
        {
            return ExecuteAsync(connection, SqlCall.From(statements[0]), cancellationToken);
        }

        ArgumentNullException.ThrowIfNull(connection);
        var batch = connection.CreateBatch();
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Sql;
            SqlCall.From(statement).AddParameters(command.Parameters);
            batch.BatchCommands.Add(command);
        }

        return RunAsync(connection, batch, 0, static (batch, _, ct) => ExecuteBatchNonQueryAsync(batch, ct), cancellationToken);
    }

    /// <summary>A page of rows plus the <c>count(*) OVER ()</c> column named <paramref name="totalColumn"/> read from the first row.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static Task<(List<T> Rows, long Total)> QueryWithTotalAsync<T>(
        NpgsqlConnection connection, in SqlCall call, string totalColumn, CancellationToken cancellationToken)
        => RunAsync(connection, call.CreateCommand(connection), totalColumn, static (command, column, ct) => ReadWithTotalAsync<T>(command, column, ct), cancellationToken);

    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static IAsyncEnumerable<T> StreamAsync<T>(NpgsqlConnection connection, SqlCall call, CancellationToken cancellationToken)
        => Stream<T>(connection, call, null, cancellationToken);

    /// <summary>Rows as they arrive, read by <paramref name="reader"/>, or by reflection when it is null.</summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    public static IAsyncEnumerable<T> StreamAsync<T>(NpgsqlConnection connection, SqlCall call, RowReader<T>? reader, CancellationToken cancellationToken)
        => Stream<T>(connection, call, reader, cancellationToken);

    /// <summary>Rows as they arrive, read by <paramref name="reader"/> (no reflection).</summary>
    public static IAsyncEnumerable<T> StreamWithAsync<T>(NpgsqlConnection connection, SqlCall call, RowReader<T> reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Stream<T>(connection, call, reader, cancellationToken);
    }

    private static async IAsyncEnumerable<T> Stream<T>(
        NpgsqlConnection connection, SqlCall call, RowReader<T>? rowReader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var command = call.CreateCommand(connection);
        using var commandScope = command;
        var opened = await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var parser = default(RowCursor<T>);
                var ended = false;
                try
                {
                    while (true)
                    {
                        // A yield cannot sit inside a try with a catch, so only the read is guarded.
                        // Npgsql does not look at the token while rows are already buffered, so check it per row.
                        cancellationToken.ThrowIfCancellationRequested();
                        bool hasRow;
                        try
                        {
                            hasRow = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (PostgresException)
                        {
                            // The server ended the statement itself: nothing left to cancel.
                            ended = true;
                            throw;
                        }

                        if (!hasRow)
                        {
                            ended = true;
                            yield break;
                        }

                        if (!parser.IsCreated)
                        {
                            parser = Open(reader, rowReader);
                        }

                        yield return parser.Read(reader);
                    }
                }
                finally
                {
                    parser.Release();
                    if (!ended)
                    {
                        CancelUnreadRows(connection, command);
                    }
                }
            }
        }
        finally
        {
            await CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Before a reader left early (break, a cancelled token, an error) is disposed: asks PostgreSQL to cancel the statement.
    /// Disposing an Npgsql reader reads every remaining row to get back in step with the server, which for a large result
    /// is the whole read; once the server has the cancel, it stops producing and the dispose only skips what is in
    /// flight, then swallows the cancellation error. The connection stays usable.
    /// </summary>
    /// <remarks>
    /// Not inside a transaction (or when that cannot be told): a cancelled statement aborts the transaction around it, so
    /// there the rest is read as before. <see cref="NpgsqlCommand.Cancel"/> sends PostgreSQL's cancel request over a
    /// short extra connection and returns once the server has it (synchronously; Npgsql has no async cancel), so a
    /// late cancel cannot hit the next statement. It is a no-op when Npgsql already cancelled for the token.
    /// </remarks>
    private static void CancelUnreadRows(NpgsqlConnection connection, NpgsqlCommand command)
    {
        if (NpgsqlInternals.InTransaction(connection) == false)
        {
            command.Cancel();
        }
    }

    internal static async ValueTask<bool> OpenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.State != ConnectionState.Closed)
        {
            return false;
        }

        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    internal static async ValueTask CloseAsync(NpgsqlConnection connection, bool opened)
    {
        if (opened)
        {
            await connection.CloseAsync().ConfigureAwait(false);
        }
    }

    // The frame of every buffered operation: open a closed connection, run the work, dispose the command (returning it
    // to the connection's cache) and close what was opened here. Errors propagate as they are.
    private static async Task<TResult> RunAsync<TWork, TState, TResult>(
        NpgsqlConnection connection, TWork work, TState state, Func<TWork, TState, CancellationToken, ValueTask<TResult>> body, CancellationToken cancellationToken)
        where TWork : IDisposable
    {
        var opened = false;
        try
        {
            if (connection.State == ConnectionState.Closed)
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                opened = true;
            }

            try
            {
                return await body(work, state, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (IsRetryableStalePlan(ex, connection))
            {
                // Another instance's migration changed a table this prepared statement reads. Npgsql has dropped the
                // statement, so it is prepared again on this run; outside a transaction the failed run did nothing
                // (a batch runs in an implicit transaction, rolled back whole), so running it once more is safe.
                return await body(work, state, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            work.Dispose();
            if (opened)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    // RunAsync's steps (open a closed connection, run, retry a stale prepared plan once outside a transaction, dispose the
    // command, close what was opened) written out around the read: a call costs one task and one state machine, not two
    // frames awaiting each other.

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(
        NpgsqlConnection connection, NpgsqlCommand command, int capacity, RowReader<T>? rowReader, CancellationToken cancellationToken)
    {
        var opened = false;
        try
        {
            if (connection.State == ConnectionState.Closed)
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                opened = true;
            }

            for (var retried = false; ; retried = true)
            {
                try
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        var rows = new List<T>(capacity);
                        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            var parser = Open(reader, rowReader);
                            try
                            {
                                do
                                {
                                    rows.Add(parser.Read(reader));
                                }
                                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false));
                            }
                            finally
                            {
                                parser.Release();
                            }
                        }

                        return rows;
                    }
                }
                catch (PostgresException ex) when (!retried && IsRetryableStalePlan(ex, connection))
                {
                    // See RunAsync: run once more, prepared again.
                }
            }
        }
        finally
        {
            command.Dispose();
            if (opened)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    // TKey is the key of a NotFound read, named in its exception (object? and null for the other modes).
    private static async Task<T?> ReadFirstAsync<T, TKey>(
        NpgsqlConnection connection, NpgsqlCommand command, First mode, TableName? table, string? entity, TKey key, RowReader<T>? rowReader, CancellationToken cancellationToken)
    {
        var opened = false;
        try
        {
            if (connection.State == ConnectionState.Closed)
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                opened = true;
            }

            for (var retried = false; ; retried = true)
            {
                try
                {
                    // SingleRow lets Npgsql skip whatever follows the first row without handing it over.
                    var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            return mode switch
                            {
                                First.Required => throw NoRowReturned(table),
                                First.NotFound => throw new NotFoundException(entity!, key),
                                _ => default,
                            };
                        }

                        var parser = Open(reader, rowReader);
                        try
                        {
                            return parser.Read(reader);
                        }
                        finally
                        {
                            parser.Release();
                        }
                    }
                }
                catch (PostgresException ex) when (!retried && IsRetryableStalePlan(ex, connection))
                {
                    // See RunAsync: run once more, prepared again.
                }
            }
        }
        finally
        {
            command.Dispose();
            if (opened)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<T?> ReadScalarAsync<T>(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? ScalarParser<T>.Create(reader, 0).Read(reader)
                : default;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<long> ExecuteNonQueryAsync(NpgsqlCommand command, CancellationToken cancellationToken)
        => await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<long> ExecuteBatchNonQueryAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
        => await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(List<T> Rows, long Total)> ReadWithTotalAsync<T>(NpgsqlCommand command, string totalColumn, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var rows = new List<T>();
            long total = 0;
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                total = reader.GetInt64(reader.GetOrdinal(totalColumn));
                await ReadRowsAsync(reader, rows, null, cancellationToken).ConfigureAwait(false);
            }

            return (rows, total);
        }
    }

    /// <summary>Adds the row the reader is on and every row after it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask ReadRowsAsync<T>(NpgsqlDataReader reader, List<T> rows, RowReader<T>? rowReader, CancellationToken cancellationToken)
    {
        var parser = Open(reader, rowReader);
        try
        {
            do
            {
                rows.Add(parser.Read(reader));
            }
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            parser.Release();
        }
    }

    /// <summary>The cursor for a result's rows: over <paramref name="rowReader"/>, checked once, or PgKit's reflection-based mapping when it is null.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Reflection)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Reflection)]
    private static RowCursor<T> Open<T>(NpgsqlDataReader reader, RowReader<T>? rowReader)
    {
        if (rowReader is null)
        {
            return RowParsers<T>.Create(reader);
        }

        rowReader.CheckColumns(reader);
        return new RowCursor<T>(rowReader);
    }

    private const string Reflection =
        "Rows are mapped by reflection only when no RowReader<T> is given, and only the Executor overloads marked [RequiresUnreferencedCode] and [RequiresDynamicCode] pass none.";

    /// <summary>
    /// PostgreSQL's 0A000 "cached plan must not change result type": a prepared statement's result columns changed
    /// under it (a column added, dropped or retyped in a table it reads with <c>*</c>). Raised before the statement
    /// produced anything; Npgsql then unprepares the statement on that connection.
    /// </summary>
    /// <summary>A stale prepared plan (<see cref="IsStalePreparedPlan"/>) outside a transaction: the failed run did nothing, so it can run again.</summary>
    private static bool IsRetryableStalePlan(PostgresException error, NpgsqlConnection connection) =>
        IsStalePreparedPlan(error) && NpgsqlInternals.InTransaction(connection) == false;

    internal static bool IsStalePreparedPlan(PostgresException error) =>
        error.SqlState == PostgresErrorCodes.FeatureNotSupported
        && (error.Routine == "RevalidateCachedQuery" || error.MessageText.Contains("cached plan", StringComparison.Ordinal));

    private static InvalidOperationException NoRowReturned(TableName? table) => new(
        $"INSERT INTO {table} ... RETURNING * returned no row: a BEFORE INSERT trigger (or a rule) on the table suppressed it, so nothing was inserted. "
        + "Fix the trigger, or insert with ExecuteSqlAsync (which returns the rows affected) when suppressed rows are expected.");
}
