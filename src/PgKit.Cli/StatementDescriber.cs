using System.Data;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using PgKit.Analyzers;

namespace PgKit.Cli;

/// <summary>
/// Asks PostgreSQL about statements, never a home-made SQL parser: <c>PREPARE</c> for acceptance and parameter types
/// (<c>pg_prepared_statements</c>), a <c>SchemaOnly | KeyInfo</c> reader for the columns with their table and NOT
/// NULL, and the generic plan (<c>EXPLAIN (VERBOSE)</c>) for columns an outer join makes nullable.
/// </summary>
internal sealed partial class StatementDescriber(NpgsqlConnection connection)
{
    private const string Name = "pgkit_describe";

    // Several statements in one string cannot be prepared; PostgreSQL says so with this message (SQLSTATE 42601).
    private const string MultipleCommands = "cannot insert multiple commands into a prepared statement";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // EXPLAIN EXECUTE then shows the plan for any parameter values, with the $n kept.
        await RunAsync("SET plan_cache_mode = force_generic_plan", cancellationToken).ConfigureAwait(false);
    }

    public async Task<SqlEntry> DescribeAsync(string sql, IEnumerable<string> argumentTypeKeys, CancellationToken cancellationToken)
    {
        var entry = new SqlEntry { Sql = sql };
        if (await TryPrepareAsync(Name, null, sql, cancellationToken).ConfigureAwait(false) is { } error)
        {
            if (error.SqlState == PostgresErrorCodes.SyntaxError && error.Message.Contains(MultipleCommands, StringComparison.Ordinal))
            {
                entry.Skipped = "several statements in one string cannot be prepared, so they are not checked";
            }
            else
            {
                entry.Error = error;
            }

            return entry;
        }

        try
        {
            entry.Parameters.AddRange(await ParameterTypesAsync(cancellationToken).ConfigureAwait(false));
            await DescribeColumnsAsync(entry, sql, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await RunAsync("DEALLOCATE " + Name, cancellationToken).ConfigureAwait(false);
        }

        foreach (var key in argumentTypeKeys.Distinct(StringComparer.Ordinal))
        {
            var types = key.Split(',');
            if (types.Length != entry.Parameters.Count)
            {
                continue; // the analyzer reports the count instead
            }

            var refused = await TryPrepareAsync(Name + "_typed", types, sql, cancellationToken).ConfigureAwait(false);
            entry.Arguments[key] = refused;
            if (refused is null)
            {
                await RunAsync("DEALLOCATE " + Name + "_typed", cancellationToken).ConfigureAwait(false);
            }
        }

        return entry;
    }

    private async Task<SqlError?> TryPrepareAsync(string name, string[]? types, string sql, CancellationToken cancellationToken)
    {
        var head = types is null ? $"PREPARE {name} AS " : $"PREPARE {name}({string.Join(", ", types)}) AS ";
        try
        {
            // A batch command is sent as written (never split on semicolons), so PostgreSQL sees exactly the app's text.
            await RunAsync(head + sql, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (PostgresException e)
        {
            return new SqlError { SqlState = e.SqlState, Message = e.MessageText };
        }
    }

    private async Task<List<string>> ParameterTypesAsync(CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = Name } },
        };
        await using (command.ConfigureAwait(false))
        {
            var types = (string[]?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? [];
            return [.. types];
        }
    }

    private async Task DescribeColumnsAsync(SqlEntry entry, string sql, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(connection);
        await using (batch.ConfigureAwait(false))
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var _ in entry.Parameters)
            {
                // Untyped NULLs: PostgreSQL infers each type as PREPARE did.
                command.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown });
            }

            batch.BatchCommands.Add(command);
            List<Npgsql.Schema.NpgsqlDbColumn> columns;
            var reader = (NpgsqlDataReader)await batch.ExecuteReaderAsync(CommandBehavior.SchemaOnly | CommandBehavior.KeyInfo, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                columns = (await reader.GetColumnSchemaAsync(cancellationToken).ConfigureAwait(false)).Cast<Npgsql.Schema.NpgsqlDbColumn>().ToList();
            }

            if (columns.Count == 0)
            {
                return;
            }

            var typeNames = await TypeNamesAsync(columns.Select(c => c.TypeOID).ToArray(), cancellationToken).ConfigureAwait(false);
            var outerJoined = await OuterJoinedOutputsAsync(entry.Parameters.Count, columns.Count, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < columns.Count; i++)
            {
                var column = columns[i];
                var fromTable = column.TableOID != 0 && column.BaseTableName is not null;
                entry.Columns.Add(new SqlColumn
                {
                    Name = column.ColumnName,
                    Type = typeNames[i],
                    Table = fromTable ? column.BaseTableName : null,
                    // A table's column: its NOT NULL, unless an outer join can make it NULL; an expression: not known.
                    Nullable = outerJoined?[i] == true ? true : fromTable ? column.AllowDBNull : null,
                });
            }
        }
    }

    private async Task<string[]> TypeNamesAsync(uint[] oids, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("SELECT array_agg(format_type(t, NULL) ORDER BY i) FROM unnest($1::oid[]) WITH ORDINALITY u(t, i)", connection)
        {
            Parameters = { new NpgsqlParameter { Value = oids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Oid } },
        };
        await using (command.ConfigureAwait(false))
        {
            return (string[])(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    // Which output columns come from a relation on the nullable side of an outer join, read from the generic plan's
    // top-level Output list ("alias.column"); null when the plan does not say (then the catalog's NOT NULL stands).
    private async Task<bool[]?> OuterJoinedOutputsAsync(int parameterCount, int columnCount, CancellationToken cancellationToken)
    {
        var arguments = parameterCount == 0 ? string.Empty : "(" + string.Join(", ", Enumerable.Repeat("NULL", parameterCount)) + ")";
        string planJson;
        try
        {
            var command = new NpgsqlCommand($"EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE {Name}{arguments}", connection);
            await using (command.ConfigureAwait(false))
            {
                planJson = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "[]";
            }
        }
        catch (PostgresException)
        {
            return null; // utility statements have no plan
        }

        using var document = JsonDocument.Parse(planJson);
        var plan = document.RootElement[0].GetProperty("Plan");
        var nullable = new HashSet<string>(StringComparer.Ordinal);
        Walk(plan, nullableSide: false, nullable);
        if (nullable.Count == 0 || !plan.TryGetProperty("Output", out var output) || output.GetArrayLength() != columnCount)
        {
            return null;
        }

        var result = new bool[columnCount];
        var i = 0;
        foreach (var expression in output.EnumerateArray())
        {
            var match = QualifiedColumn().Match(expression.GetString() ?? string.Empty);
            result[i++] = match.Success && nullable.Contains(match.Groups["alias"].Value);
        }

        return result;
    }

    private static void Walk(JsonElement node, bool nullableSide, HashSet<string> nullable)
    {
        if (nullableSide && node.TryGetProperty("Alias", out var alias) && alias.GetString() is { } name)
        {
            nullable.Add(name);
        }

        if (!node.TryGetProperty("Plans", out var children))
        {
            return;
        }

        var join = node.TryGetProperty("Join Type", out var type) ? type.GetString() : null;
        foreach (var child in children.EnumerateArray())
        {
            var side = child.TryGetProperty("Parent Relationship", out var relationship) ? relationship.GetString() : null;
            var childNullable = nullableSide || join == "Full" || (join == "Left" && side == "Inner") || (join == "Right" && side == "Outer");
            Walk(child, childNullable, nullable);
        }
    }

    private async Task RunAsync(string sql, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(connection) { BatchCommands = { new NpgsqlBatchCommand(sql) } };
        await using (batch.ConfigureAwait(false))
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // alias.column, either part possibly quoted: the shape EXPLAIN VERBOSE gives a plain column reference.
    [GeneratedRegex("""^(?:"(?<alias>(?:[^"]|"")+)"|(?<alias>[^".()\s]+))\.(?:"(?:[^"]|"")+"|[^".()\s]+)$""")]
    private static partial Regex QualifiedColumn();
}
