using System.CommandLine;
using Npgsql;
using PgKit.Embedded;
using PgKit.Migrations;

namespace PgKit.Cli;

/// <summary>
/// <c>pgkit migrate verify</c>: on a scratch database, applies the migrations one by one (snapshotting the schema after
/// each), rolls them back one by one (each rollback must restore the snapshot before it), then applies them all
/// again (the result must match the first pass).
/// </summary>
internal static class VerifyCommand
{
    public static async Task<int> RunAsync(ParseResult result, CliContext context, CancellationToken cancellationToken)
    {
        var options = MigrateCommands.Options(result, context);
        options.Logger = null; // verify reports findings, not each step
        var migrations = options.Source!.Load();
        var resolved = ConnectionResolver.TryResolve(MigrateCommands.ConnectionOption(result), context, ProjectFolder.Resolve(result, context));
        PostgresServer? server = null;
        string serverConnection;
        if (resolved is { } r)
        {
            serverConnection = r.ConnectionString;
            context.Output.WriteLine($"Verifying {migrations.Count} migration(s) on a scratch database of the server from {r.Origin}.");
        }
        else
        {
            context.Output.WriteLine($"Verifying {migrations.Count} migration(s) on a scratch database of an ephemeral embedded server.");
            server = await PostgresServer.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            serverConnection = server.ConnectionString;
        }

        var scratch = "pgkit_verify_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await AdminAsync(serverConnection, "CREATE DATABASE " + PgIdentifier.Quote(scratch), cancellationToken).ConfigureAwait(false);
            var scratchConnection = new NpgsqlConnectionStringBuilder(serverConnection) { Database = scratch, Pooling = false }.ConnectionString;
            var problems = await CheckAsync(scratchConnection, options, migrations, context, cancellationToken).ConfigureAwait(false);
            if (problems == 0)
            {
                context.Output.WriteLine($"Verified: each of the {migrations.Count} down part(s) undoes its up part, and re-applying gives the same schema.");
                return ExitCodes.Success;
            }

            throw new CliException($"verify found {problems} problem(s), listed above.");
        }
        finally
        {
            await AdminAsync(serverConnection, "DROP DATABASE IF EXISTS " + PgIdentifier.Quote(scratch) + " WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<int> CheckAsync(string connectionString, MigrationOptions options, IReadOnlyList<Migration> migrations, CliContext context, CancellationToken cancellationToken)
    {
        var migrator = new Migrator(connectionString, options);
        var table = options.Table.ToString();
        var snapshots = new List<SortedSet<string>> { await SchemaSnapshot.TakeAsync(connectionString, table, cancellationToken).ConfigureAwait(false) };
        foreach (var m in migrations)
        {
            await migrator.UpAsync(m.Version, cancellationToken).ConfigureAwait(false);
            snapshots.Add(await SchemaSnapshot.TakeAsync(connectionString, table, cancellationToken).ConfigureAwait(false));
        }

        var problems = 0;
        var rolledBackTo = migrations.Count;
        for (var i = migrations.Count - 1; i >= 0; i--)
        {
            var m = migrations[i];
            if (m.DownSql is null)
            {
                context.Error.WriteLine($"error: {m.FileName}: has no down part, so it and the migrations below it cannot be checked.");
                problems++;
                break;
            }

            await migrator.DownAsync(1, cancellationToken).ConfigureAwait(false);
            rolledBackTo = i;
            var after = await SchemaSnapshot.TakeAsync(connectionString, table, cancellationToken).ConfigureAwait(false);
            var diff = SchemaSnapshot.Diff(snapshots[i], after);
            if (diff.Count > 0)
            {
                problems++;
                context.Error.WriteLine($"error: {m.FileName}: the down part does not undo the up part; the schema after rolling it back differs from the schema before it:");
                foreach (var line in diff.Take(10))
                {
                    context.Error.WriteLine("    " + line);
                }

                // Later comparisons would only repeat this difference.
                break;
            }
        }

        if (problems > 0)
        {
            return problems;
        }

        await migrator.UpAsync(null, cancellationToken).ConfigureAwait(false);
        var again = await SchemaSnapshot.TakeAsync(connectionString, table, cancellationToken).ConfigureAwait(false);
        var second = SchemaSnapshot.Diff(snapshots[^1], again);
        if (second.Count > 0 && rolledBackTo == 0)
        {
            problems++;
            context.Error.WriteLine("error: Re-applying every migration after rolling them all back gives a different schema than the first time:");
            foreach (var line in second.Take(10))
            {
                context.Error.WriteLine("    " + line);
            }
        }

        return problems;
    }

    private static async Task AdminAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
