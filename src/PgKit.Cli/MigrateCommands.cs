using System.CommandLine;
using System.Globalization;
using System.Text;
using PgKit.Migrations;
using Spectre.Console;

namespace PgKit.Cli;

/// <summary><c>pgkit migrate new | up | down | status | repair | verify</c>.</summary>
internal static class MigrateCommands
{
    private static readonly Option<string?> Connection = new("--connection", "-c")
    {
        Description = "The database: an Npgsql connection string or a postgres:// URL (default: PGKIT_CONNECTION, DATABASE_URL, ConnectionStrings__Postgres, appsettings.json, the embedded server).",
        Recursive = true,
    };

    private static readonly Option<string> Dir = new("--dir", "-d")
    {
        Description = "The migrations folder (default: Migrations/ or migrations/ of the project folder).",
        Recursive = true,
    };

    private static readonly Option<string?> Table = new("--table") { Description = "The history table (default pgkit_migrations).", Recursive = true };

    private static readonly Option<double?> LockWait = new("--lock-wait") { Description = "Seconds to wait for another migrator's lock (default 300).", Recursive = true };

    private static readonly Option<double?> LockTimeout = new("--lock-timeout") { Description = "lock_timeout inside each migration, in seconds.", Recursive = true };

    private static readonly Option<double?> StatementTimeout = new("--statement-timeout") { Description = "statement_timeout inside each migration, in seconds.", Recursive = true };

    private static readonly Option<bool> AllowOutOfOrder = new("--allow-out-of-order") { Description = "Apply a new migration numbered below the newest applied one.", Recursive = true };

    public static Command Build(CliContext context)
    {
        var migrate = new Command("migrate", "Create, apply, roll back and check SQL migrations.");
        foreach (var option in new Option[] { Connection, Dir, Table, LockWait, LockTimeout, StatementTimeout, AllowOutOfOrder })
        {
            migrate.Options.Add(option);
        }

        migrate.Subcommands.Add(New(context));
        migrate.Subcommands.Add(Up(context));
        migrate.Subcommands.Add(Down(context));
        migrate.Subcommands.Add(Status(context));
        migrate.Subcommands.Add(Repair(context));
        migrate.Subcommands.Add(Verify(context));
        return migrate;
    }

    internal static MigrationOptions Options(ParseResult result, CliContext context)
    {
        var options = new MigrationOptions
        {
            Source = MigrationSource.FromDirectory(MigrationsDirectory(result, context, creating: false)),
            AllowOutOfOrder = result.GetValue(AllowOutOfOrder),
            Logger = new ProgressLogger(context.Output),
        };
        if (result.GetValue(Table) is { } table)
        {
            options.Table = table;
        }

        if (result.GetValue(LockWait) is { } wait)
        {
            options.LockWaitTimeout = Seconds(wait, "--lock-wait");
        }

        if (result.GetValue(LockTimeout) is { } lockTimeout)
        {
            options.LockTimeout = Seconds(lockTimeout, "--lock-timeout");
        }

        if (result.GetValue(StatementTimeout) is { } statementTimeout)
        {
            options.StatementTimeout = Seconds(statementTimeout, "--statement-timeout");
        }

        return options;
    }

    internal static Migrator Migrator(ParseResult result, CliContext context) =>
        new(ConnectionResolver.Resolve(result.GetValue(Connection), context, ProjectFolder.Resolve(result, context)).ConnectionString, Options(result, context));

    /// <summary>
    /// <c>--dir</c> (relative to the current folder, as the shell completes it), else the project's <c>Migrations/</c>
    /// or <c>migrations/</c>; <c>new</c> creates <c>Migrations/</c> when there is neither.
    /// </summary>
    internal static string MigrationsDirectory(ParseResult result, CliContext context, bool creating)
    {
        if (result.GetValue(Dir) is { Length: > 0 } dir)
        {
            return context.ResolvePath(dir);
        }

        var project = ProjectFolder.Resolve(result, context);
        if (MigrationsFolder.Find(project) is { } found)
        {
            return found;
        }

        if (creating)
        {
            return Path.Combine(project, MigrationsFolder.Preferred);
        }

        var where = Path.GetRelativePath(context.WorkingDirectory, project) is "." ? "The current folder" : $"The project folder {project}";
        throw new CliException($"{where} has no Migrations/ (or migrations/) folder; create the first migration with 'pgkit migrate new NAME', or pass --dir.");
    }

    internal static string? ConnectionOption(ParseResult result) => result.GetValue(Connection);

    private static TimeSpan Seconds(double value, string option) =>
        value > 0 && value < 2_000_000 ? TimeSpan.FromSeconds(value) : throw CliException.Usage($"{option} takes a positive number of seconds, not {value.ToString(CultureInfo.InvariantCulture)}.");

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "What the migration does, for example \"create author\" (snake_cased into the file name)." };
        var command = new Command("new", "Create the next numbered migration file from a template.") { Arguments = { name } };
        CliApp.SetAction(command, context, (result, ct) =>
        {
            var snake = SnakeCase(result.GetValue(name)!);
            if (snake.Length == 0)
            {
                throw CliException.Usage("The migration name needs at least one letter or digit, for example 'create_author'.");
            }

            var dir = MigrationsDirectory(result, context, creating: true);
            Directory.CreateDirectory(dir);
            var next = Directory.EnumerateFiles(dir, "*.sql")
                .Select(f => Migration.TryParseFileName(Path.GetFileName(f), out var v, out _) ? v : 0)
                .DefaultIfEmpty(0)
                .Max() + 1;
            var path = Path.Combine(dir, Migration.FormatFileName(next, snake));
            File.WriteAllText(path, Template(snake));
            context.Output.WriteLine($"Created {Path.GetRelativePath(context.WorkingDirectory, path)}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Up(CliContext context)
    {
        var to = new Option<long?>("--to") { Description = "Apply up to and including this version." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the SQL that would run; change nothing." };
        var command = new Command("up", "Apply pending migrations, each in its own transaction.") { Options = { to, dryRun } };
        CliApp.SetAction(command, context, async (result, cancellationToken) =>
        {
            var migrator = Migrator(result, context);
            if (result.GetValue(dryRun))
            {
                var plan = await migrator.PlanAsync(result.GetValue(to), cancellationToken).ConfigureAwait(false);
                await context.Output.WriteAsync(plan.ToSql()).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var run = await migrator.UpAsync(result.GetValue(to), cancellationToken).ConfigureAwait(false);

            // "Up to date" only when nothing is left: after --to (or a run another migrator finished first) the files
            // may still hold pending migrations, so ask the history rather than assume.
            var status = await migrator.StatusAsync(cancellationToken).ConfigureAwait(false);
            var pending = status.Entries.Where(e => e.State is MigrationState.Pending or MigrationState.OutOfOrder).Select(e => e.Version).ToList();
            context.Output.WriteLine(UpSummary(run, pending));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static string UpSummary(MigrationRunResult run, IReadOnlyList<long> pending)
    {
        var at = run.Head is { } head ? $"version {Version(head)}" : "no version (nothing applied)";
        var left = pending.Count switch
        {
            0 => null,
            1 => $"1 migration still pending ({Version(pending[0])})",
            <= 5 => $"{pending.Count} migrations still pending ({string.Join(", ", pending.Select(Version))})",
            _ => $"{pending.Count} migrations still pending ({string.Join(", ", pending.Take(5).Select(Version))}, ...)",
        };
        if (run.Changed)
        {
            return left is null ? $"Up to date at {at}." : $"Migrated to {at}; {left}.";
        }

        if (left is not null)
        {
            return $"Nothing applied; at {at}, {left}.";
        }

        return run.Head is null ? "No migrations to apply." : $"Nothing to apply: already up to date at {at}.";
    }

    private static Command Down(CliContext context)
    {
        var to = new Option<long?>("--to") { Description = "Roll back every migration above this version (0 for all)." };
        var steps = new Option<int?>("--steps") { Description = "Roll back this many migrations (default 1)." };
        var command = new Command("down", "Roll back migrations with their down parts, newest first.") { Options = { to, steps } };
        CliApp.SetAction(command, context, async (result, cancellationToken) =>
        {
            var target = result.GetValue(to);
            var count = result.GetValue(steps);
            if (target is not null && count is not null)
            {
                throw CliException.Usage("Give either --to or --steps, not both.");
            }

            if (count is <= 0 || target is < 0)
            {
                throw CliException.Usage("--steps must be positive and --to must not be negative.");
            }

            var migrator = Migrator(result, context);
            var run = target is { } version
                ? await migrator.DownToAsync(version, cancellationToken).ConfigureAwait(false)
                : await migrator.DownAsync(count ?? 1, cancellationToken).ConfigureAwait(false);
            context.Output.WriteLine(run.Head is { } head ? $"Now at version {Version(head)}." : "No migration is applied.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var command = new Command("status", "Show every migration: applied, pending, changed, missing or out of order; exits 1 when the history and the files disagree.");
        CliApp.SetAction(command, context, async (result, cancellationToken) =>
        {
            var status = await Migrator(result, context).StatusAsync(cancellationToken).ConfigureAwait(false);
            var table = new Table().AddColumns("Version", "Name", "State", "Applied at (UTC)", "Took", "By");
            foreach (var e in status.Entries)
            {
                var colour = e.State switch
                {
                    MigrationState.Applied => "green",
                    MigrationState.Pending => "yellow",
                    _ => "red",
                };
                table.AddRow(
                    Version(e.Version),
                    Markup.Escape(e.Name),
                    $"[{colour}]{StateText(e.State)}[/]",
                    e.AppliedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? string.Empty,
                    e.Duration is { } d ? Ms(d) : string.Empty,
                    Markup.Escape(e.AppliedBy ?? string.Empty));
            }

            context.Console.Write(table);
            var pending = status.Entries.Count(e => e.State is MigrationState.Pending or MigrationState.OutOfOrder);
            context.Output.WriteLine(
                $"{status.Entries.Count(e => e.State is MigrationState.Applied or MigrationState.Changed)} applied, {pending} pending"
                + (status.HasProblems ? $", {status.Entries.Count(e => e.State is MigrationState.Changed or MigrationState.Missing or MigrationState.OutOfOrder)} problem(s): see the State column." : "."));

            // Problems fail the command, so a CI step or a deploy script can gate on it; an out-of-order migration is
            // not one when --allow-out-of-order lets up apply it.
            var allowOutOfOrder = result.GetValue(AllowOutOfOrder);
            var failing = status.Entries.Any(e => e.State is MigrationState.Changed or MigrationState.Missing || (e.State == MigrationState.OutOfOrder && !allowOutOfOrder));
            return failing ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    private static Command Repair(CliContext context)
    {
        var command = new Command("repair", "Make the history agree with the files: re-record changed checksums, forget versions whose file is gone.");
        CliApp.SetAction(command, context, async (result, cancellationToken) =>
        {
            var repaired = await Migrator(result, context).RepairAsync(cancellationToken).ConfigureAwait(false);
            foreach (var v in repaired.Rechecksummed)
            {
                context.Output.WriteLine($"Re-recorded the checksum of version {Version(v)}.");
            }

            foreach (var v in repaired.Forgotten)
            {
                context.Output.WriteLine($"Forgot version {Version(v)}, whose file is gone.");
            }

            if (repaired.Rechecksummed.Count + repaired.Forgotten.Count == 0)
            {
                context.Output.WriteLine("Nothing to repair: the history agrees with the files.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var command = new Command(
            "verify",
            "On a scratch database, apply each migration, roll it back and apply it again, comparing schemas, to find down parts that do not undo their up parts.");
        CliApp.SetAction(command, context, (result, cancellationToken) => VerifyCommand.RunAsync(result, context, cancellationToken));
        return command;
    }

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (char.IsUpper(c) && i > 0 && char.IsAsciiLetterLower(name[i - 1]))
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0 && sb[^1] != '_')
            {
                sb.Append('_');
            }
        }

        return sb.ToString().Trim('_');
    }

    private static string Template(string name) =>
        $"""
        -- {name}
        -- Runs in one transaction with its history row. To run outside a transaction (CREATE INDEX CONCURRENTLY),
        -- make the first line of this file: {Migration.NoTransactionMarker}


        {Migration.DownMarker}
        -- The SQL that undoes the part above (pgkit migrate down). Check it with: pgkit migrate verify

        """;

    internal static string Version(long v) => v.ToString("D4", CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan d) => ((long)d.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms";

    private static string StateText(MigrationState state) => state switch
    {
        MigrationState.OutOfOrder => "out of order",
        _ => state.ToString().ToLowerInvariant(),
    };
}
