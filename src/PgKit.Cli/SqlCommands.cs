using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Npgsql;
using PgKit.Analyzers;
using PgKit.Embedded;
using PgKit.Migrations;

namespace PgKit.Cli;

/// <summary>
/// <c>pgkit sql prepare [--check]</c>: describes every constant SQL statement the project passes to a <c>[PgSql]</c>
/// parameter with PostgreSQL itself (an ephemeral embedded server with the project's migrations applied) and writes
/// <c>pgkit-sql.json</c>, which PgKit's analyzer reads at build time (docs/checked-sql.md).
/// </summary>
internal static class SqlCommands
{
    private static readonly Option<bool> Check = new("--check")
    {
        Description = "Write nothing; fail when pgkit-sql.json is missing or stale against the migrations or the code (for CI).",
    };

    private static readonly Option<string?> Dir = new("--dir", "-d") { Description = "The migrations folder (default: Migrations/ or migrations/ of the project folder)." };

    public static Command Build(CliContext context)
    {
        var sql = new Command("sql", "Checked SQL: describe the app's SQL statements for the build-time analyzer.");
        var prepare = new Command("prepare", "Describe every constant SQL statement of the project with PostgreSQL and write pgkit-sql.json.")
        {
            Options = { Check, Dir },
        };
        CliApp.SetAction(prepare, context, (result, cancellationToken) => PrepareAsync(result, context, cancellationToken));
        sql.Subcommands.Add(prepare);
        return sql;
    }

    private static async Task<int> PrepareAsync(ParseResult result, CliContext context, CancellationToken cancellationToken)
    {
        var project = ProjectFolder.Resolve(result, context);
        var migrationsFolder = result.GetValue(Dir) is { Length: > 0 } dir ? context.ResolvePath(dir) : MigrationsFolder.Find(project);
        var compilation = await ProjectCompilation.LoadAsync(project, context, cancellationToken).ConfigureAwait(false);
        var found = SqlStatementFinder.FindAll(compilation, cancellationToken).ToList();

        var file = new SqlFile { Migrations = await MigrationsHashAsync(migrationsFolder, cancellationToken).ConfigureAwait(false) };
        var server = await PostgresServer.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString;
            if (migrationsFolder is not null)
            {
                var options = new MigrationOptions { Source = MigrationSource.FromDirectory(migrationsFolder) };
                await new Migrator(connectionString, options).UpAsync(null, cancellationToken).ConfigureAwait(false);
            }

            var connection = new NpgsqlConnection(connectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var describer = new StatementDescriber(connection);
                await describer.InitializeAsync(cancellationToken).ConfigureAwait(false);
                foreach (var group in found.GroupBy(f => f.Sql, StringComparer.Ordinal))
                {
                    var keys = group.Select(f => f.ArgumentTypesKey).OfType<string>();
                    file.Statements[SqlFile.KeyOf(group.Key)] = await describer.DescribeAsync(group.Key, keys, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var path = Path.Combine(project, SqlFile.FileName);
        var text = Write(file);
        var rejected = file.Statements.Values.Count(e => e.Error is not null);
        var summary = $"{file.Statements.Count} statement(s) found in {found.Count} call(s)" + (rejected > 0 ? $", {rejected} rejected by PostgreSQL (the build reports them)" : string.Empty);
        if (result.GetValue(Check))
        {
            var current = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;
            if (current != text)
            {
                var why = current is null ? "does not exist" : StaleReason(current, file);
                throw new CliException($"{SqlFile.FileName} {why}; run 'pgkit sql prepare' and commit the file. ({summary}.)");
            }

            context.Output.WriteLine($"{SqlFile.FileName} is up to date: {summary}.");
            return ExitCodes.Success;
        }

        await File.WriteAllTextAsync(path, text, cancellationToken).ConfigureAwait(false);
        context.Output.WriteLine($"Wrote {SqlFile.FileName}: {summary}.");
        return ExitCodes.Success;
    }

    private static string StaleReason(string current, SqlFile fresh)
    {
        SqlFile old;
        try
        {
            old = SqlFile.Parse(current);
        }
        catch (FormatException)
        {
            return "is not a file pgkit sql prepare wrote";
        }

        if (old.Migrations != fresh.Migrations)
        {
            return "is stale: the migrations changed since it was written";
        }

        var added = fresh.Statements.Keys.Except(old.Statements.Keys).Count();
        var removed = old.Statements.Keys.Except(fresh.Statements.Keys).Count();
        return added + removed > 0
            ? $"is stale: the code has {added} statement(s) not in it and it has {removed} the code no longer uses"
            : "is stale: the statements' descriptions or their arguments' types changed";
    }

    // Hash of every migration file, name and content, in name order: a new, renamed or edited migration changes it.
    private static async Task<string> MigrationsHashAsync(string? folder, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (folder is not null && Directory.Exists(folder))
        {
            foreach (var path in Directory.EnumerateFiles(folder, "*.sql").Order(StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(path) + "\n"));
                hash.AppendData(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The file's text: keys in a fixed order and statements by key, so a diff shows only what changed.</summary>
    internal static string Write(SqlFile file)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", file.Format);
            json.WriteString("migrations", file.Migrations);
            json.WriteStartObject("statements");
            foreach (var (key, entry) in file.Statements)
            {
                json.WriteStartObject(key);
                json.WriteString("sql", entry.Sql);
                if (entry.Skipped is not null)
                {
                    json.WriteString("skipped", entry.Skipped);
                }

                if (entry.Error is not null)
                {
                    json.WritePropertyName("error");
                    WriteError(json, entry.Error);
                }

                if (entry.Error is null && entry.Skipped is null)
                {
                    json.WriteStartArray("parameters");
                    entry.Parameters.ForEach(json.WriteStringValue);
                    json.WriteEndArray();
                    json.WriteStartArray("columns");
                    foreach (var column in entry.Columns)
                    {
                        json.WriteStartObject();
                        json.WriteString("name", column.Name);
                        json.WriteString("type", column.Type);
                        if (column.Table is not null)
                        {
                            json.WriteString("table", column.Table);
                        }

                        if (column.Nullable is { } nullable)
                        {
                            json.WriteBoolean("nullable", nullable);
                        }

                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    if (entry.Arguments.Count > 0)
                    {
                        json.WriteStartObject("arguments");
                        foreach (var (types, error) in entry.Arguments)
                        {
                            json.WritePropertyName(types);
                            if (error is null)
                            {
                                json.WriteNullValue();
                            }
                            else
                            {
                                WriteError(json, error);
                            }
                        }

                        json.WriteEndObject();
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static void WriteError(Utf8JsonWriter json, SqlError error)
    {
        json.WriteStartObject();
        json.WriteString("sqlstate", error.SqlState);
        json.WriteString("message", error.Message);
        json.WriteEndObject();
    }
}
