using Npgsql;
using PgKit.Mapping;

namespace PgKit.Sql;

/// <summary>
/// The binary COPY path of InsertMany. Binary COPY needs every value written in its column's exact binary type, so the
/// column types are read from the catalog first (one short query) and passed to Npgsql for each value.
/// </summary>
internal static class BulkCopy
{
    private const string ColumnTypesSql = """
        SELECT a.attname, tn.nspname || '.' || t.typname
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        """;

    public static async Task<long> ImportAsync<TValues>(
        NpgsqlConnection connection, TableName table, RowShape shape, IReadOnlyList<TValues> rows, CancellationToken cancellationToken)
    {
        var opened = await Executor.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            var typeNames = await ColumnTypesAsync(connection, table, shape.Columns, cancellationToken).ConfigureAwait(false);
            var copy = new Statement().Append("COPY ").Append(table.Sql).Append(" (");
            for (var i = 0; i < shape.Columns.Length; i++)
            {
                copy.Append(i == 0 ? string.Empty : ", ").AppendColumn(shape.Columns[i]);
            }

            copy.Append(") FROM STDIN (FORMAT BINARY)");
            var importer = await connection.BeginBinaryImportAsync(copy.Sql, cancellationToken).ConfigureAwait(false);
            await using (importer.ConfigureAwait(false))
            {
                var values = new object?[shape.Columns.Length];
                for (var r = 0; r < rows.Count; r++)
                {
                    shape.Read(rows[r], r, values, "rows");
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < values.Length; i++)
                    {
                        await WriteAsync(importer, values[i], typeNames[i], cancellationToken).ConfigureAwait(false);
                    }
                }

                return (long)await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await Executor.CloseAsync(connection, opened).ConfigureAwait(false);
        }
    }

    private static Task WriteAsync(NpgsqlBinaryImporter importer, object? value, string? typeName, CancellationToken cancellationToken)
    {
        switch (value)
        {
            case null or DBNull:
                return importer.WriteNullAsync(cancellationToken);
            case Enum e:
                return Write(importer, EnumLabels.ToLabel(e), typeName, cancellationToken);
            case char c:
                return Write(importer, c.ToString(), typeName, cancellationToken);
            default:
                return Write(importer, ParameterFactory.Normalize(value), typeName, cancellationToken);
        }
    }

    private static Task Write(NpgsqlBinaryImporter importer, object value, string? typeName, CancellationToken cancellationToken)
        => typeName is null ? importer.WriteAsync(value, cancellationToken) : importer.WriteAsync(value, typeName, cancellationToken);

    private static async Task<string?[]> ColumnTypesAsync(NpgsqlConnection connection, TableName table, string[] columns, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(ColumnTypesSql, connection) { Parameters = { new NpgsqlParameter { Value = table.Sql } } };
        await using (command.ConfigureAwait(false))
        {
            var types = new Dictionary<string, string>(StringComparer.Ordinal);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    types[reader.GetString(0)] = reader.GetString(1);
                }
            }

            // An unknown column keeps a null type: COPY then fails with PostgreSQL's own "column does not exist" error.
            return [.. columns.Select(c => types.GetValueOrDefault(c))];
        }
    }
}
