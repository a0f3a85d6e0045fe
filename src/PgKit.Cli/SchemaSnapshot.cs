using Npgsql;

namespace PgKit.Cli;

/// <summary>
/// A textual description of a database's schema from the catalog (schemas, tables, columns, constraints, indexes,
/// views, sequences, functions, types, triggers, extensions), one sorted line per fact, so two schemas compare as
/// two line sets. The migration history table is left out.
/// </summary>
internal static class SchemaSnapshot
{
    private const string Query = """
        WITH user_ns AS (
            SELECT oid, nspname FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%'
        ),
        rels AS (
            SELECT c.oid, n.nspname || '.' || c.relname AS name, c.relkind
            FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
            WHERE c.oid IS DISTINCT FROM to_regclass($1)
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
        )
        SELECT 'schema ' || nspname FROM user_ns
        UNION ALL SELECT 'relation ' || name || ' kind ' || relkind::text FROM rels WHERE relkind <> 'i'
        UNION ALL
        SELECT 'column ' || r.name || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
               || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
               || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END
        FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f')
        UNION ALL
        SELECT 'constraint ' || r.name || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN rels r ON r.oid = c.conrelid
        UNION ALL
        SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rels r ON r.oid = i.indrelid
        UNION ALL
        SELECT 'view ' || r.name || ' ' || pg_get_viewdef(r.oid) FROM rels r WHERE r.relkind IN ('v', 'm')
        UNION ALL
        SELECT 'sequence ' || r.name || ' ' || s.seqtypid::regtype || ' ' || s.seqstart || ' ' || s.seqincrement
        FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid
        UNION ALL
        SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
        UNION ALL
        SELECT 'function ' || pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
        WHERE p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
        UNION ALL
        SELECT 'enum ' || n.nspname || '.' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
        FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
        GROUP BY n.nspname, t.typname
        UNION ALL
        SELECT 'domain ' || n.nspname || '.' || t.typname || ' ' || format_type(t.typbasetype, t.typtypmod)
        FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace WHERE t.typtype = 'd'
        UNION ALL
        SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
        """;

    public static async Task<SortedSet<string>> TakeAsync(string connectionString, string historyTable, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(Query, connection) { Parameters = { new() { Value = historyTable } } };
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var lines = new SortedSet<string>(StringComparer.Ordinal);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (!reader.IsDBNull(0))
                        {
                            lines.Add(reader.GetString(0));
                        }
                    }

                    return lines;
                }
            }
        }
    }

    /// <summary>The lines only in one of the snapshots, marked <c>-</c> (before only) and <c>+</c> (after only).</summary>
    public static List<string> Diff(SortedSet<string> before, SortedSet<string> after)
    {
        var diff = before.Except(after).Select(l => "- " + Short(l)).ToList();
        diff.AddRange(after.Except(before).Select(l => "+ " + Short(l)));
        return diff;
    }

    private static string Short(string line)
    {
        var flat = line.ReplaceLineEndings(" ");
        return flat.Length > 160 ? flat[..157] + "..." : flat;
    }
}
