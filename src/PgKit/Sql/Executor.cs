using System.Data;
using System.Runtime.CompilerServices;
using Npgsql;
using PgKit.Mapping;

namespace PgKit.Sql;

/// <summary>
/// Runs statements: opens a closed connection for the duration of the call (as Dapper does), runs inside the
/// connection's current transaction if it has one (Npgsql enlists commands automatically), and turns PostgreSQL
/// errors into PgKit's typed exceptions.
/// </summary>
internal static class Executor
{
    public static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, Statement statement, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var command = CreateCommand(connection, statement);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<T>();
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var parse = RowParsers<T>.Create(reader);
                        do
                        {
                            rows.Add(parse(reader));
                        }
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false));
                    }

                    return rows;
                }
            }
        }
        catch (PostgresException error) when (PgErrors.TryTranslate(error, out var typed))
        {
            throw typed;
        }
        finally
        {
            await CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    /// <summary>The first row, or default; with <paramref name="single"/>, a second row is an error.</summary>
    public static async Task<T?> FirstAsync<T>(NpgsqlConnection connection, Statement statement, bool single, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var command = CreateCommand(connection, statement);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return default;
                    }

                    var row = RowParsers<T>.Create(reader)(reader);
                    if (single && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        throw new InvalidOperationException("The query returned more than one row.");
                    }

                    return row;
                }
            }
        }
        catch (PostgresException error) when (PgErrors.TryTranslate(error, out var typed))
        {
            throw typed;
        }
        finally
        {
            await CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    /// <summary>The first column of the first row as <typeparamref name="T"/>; default for no row or NULL.</summary>
    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, Statement statement, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var command = CreateCommand(connection, statement);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                        ? RowParsers<T>.CreateScalar(reader, 0)(reader)
                        : default;
                }
            }
        }
        catch (PostgresException error) when (PgErrors.TryTranslate(error, out var typed))
        {
            throw typed;
        }
        finally
        {
            await CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    /// <summary>Rows affected.</summary>
    public static async Task<long> ExecuteAsync(NpgsqlConnection connection, Statement statement, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var command = CreateCommand(connection, statement);
            await using (command.ConfigureAwait(false))
            {
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException error) when (PgErrors.TryTranslate(error, out var typed))
        {
            throw typed;
        }
        finally
        {
            await CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    /// <summary>Runs several statements as one batch: one round trip, and atomic even outside a transaction.</summary>
    public static async Task<long> ExecuteBatchAsync(NpgsqlConnection connection, List<Statement> statements, CancellationToken cancellationToken)
    {
        if (statements.Count == 1)
        {
            return await ExecuteAsync(connection, statements[0], cancellationToken).ConfigureAwait(false);
        }

        var opened = await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var batch = new NpgsqlBatch(connection);
            await using (batch.ConfigureAwait(false))
            {
                foreach (var statement in statements)
                {
                    var command = new NpgsqlBatchCommand(statement.Sql);
                    foreach (var parameter in statement.Parameters)
                    {
                        command.Parameters.Add(parameter);
                    }

                    batch.BatchCommands.Add(command);
                }

                return await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException error) when (PgErrors.TryTranslate(error, out var typed))
        {
            throw typed;
        }
        finally
        {
            await CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    /// <summary>A page of rows plus the <c>count(*) OVER ()</c> column named <paramref name="totalColumn"/> read from the first row.</summary>
    public static async Task<(List<T> Rows, long Total)> QueryWithTotalAsync<T>(
        NpgsqlConnection connection, Statement statement, string totalColumn, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var command = CreateCommand(connection, statement);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<T>();
                    long total = 0;
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        total = reader.GetInt64(reader.GetOrdinal(totalColumn));
                        var parse = RowParsers<T>.Create(reader);
                        do
                        {
                            rows.Add(parse(reader));
                        }
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false));
                    }

                    return (rows, total);
                }
            }
        }
        catch (PostgresException error) when (PgErrors.TryTranslate(error, out var typed))
        {
            throw typed;
        }
        finally
        {
            await CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    public static async IAsyncEnumerable<T> StreamAsync<T>(
        NpgsqlConnection connection, Statement statement, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var command = CreateCommand(connection, statement);
            await using (command.ConfigureAwait(false))
            {
                NpgsqlDataReader reader;
                try
                {
                    reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException error) when (PgErrors.TryTranslate(error, out var typed))
                {
                    throw typed;
                }

                await using (reader.ConfigureAwait(false))
                {
                    Func<NpgsqlDataReader, T>? parse = null;
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
                        catch (PostgresException error) when (PgErrors.TryTranslate(error, out var typed))
                        {
                            throw typed;
                        }

                        if (!hasRow)
                        {
                            yield break;
                        }

                        parse ??= RowParsers<T>.Create(reader);
                        yield return parse(reader);
                    }
                }
            }
        }
        finally
        {
            await CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    private static NpgsqlCommand CreateCommand(NpgsqlConnection connection, Statement statement)
    {
        var command = new NpgsqlCommand(statement.Sql, connection);
        foreach (var parameter in statement.Parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
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
}
