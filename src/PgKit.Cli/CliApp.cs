using System.CommandLine;
using System.CommandLine.Help;
using Npgsql;
using PgKit.Embedded;
using PgKit.Migrations;

namespace PgKit.Cli;

/// <summary>The <c>pgkit</c> command tree, runnable in-process (tests) or from <c>Program</c>.</summary>
internal static class CliApp
{
    /// <summary>The global <c>--verbose</c> option: details (stack traces) of errors.</summary>
    internal static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Show details (stack traces) of errors.", Recursive = true };

    /// <summary>Runs the tool in the current folder with the process environment.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string folder;
        try
        {
            folder = Directory.GetCurrentDirectory();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A shell can sit in a folder that was deleted; without this the runtime prints "Unhandled exception." and aborts.
            await error.WriteLineAsync("error: The current folder cannot be read (it may have been deleted); cd to the project folder and run pgkit again.").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        return await RunAsync(args, new CliContext(folder, Environment.GetEnvironmentVariable, output, error), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the tool with an explicit folder and environment.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        try
        {
            var root = Build(context);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // Every line on stderr starts with "error: " (scripts and CI logs grep for it), so the hint to run
                // --help ends the last error line instead of standing on a line of its own.
                for (var i = 0; i < parse.Errors.Count; i++)
                {
                    var hint = i == parse.Errors.Count - 1 ? " Run 'pgkit --help' for usage." : string.Empty;
                    await context.Error.WriteLineAsync("error: " + parse.Errors[i].Message + hint).ConfigureAwait(false);
                }

                return ExitCodes.Usage;
            }

            var invocation = new InvocationConfiguration { Output = context.Output, Error = context.Error, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Command bodies report their own failures (SetAction); this catches what fails around them (building the
            // tree, parsing, help output), which would otherwise surface as the runtime's "Unhandled exception." dump.
            var (message, code) = Describe(e);
            await context.Error.WriteLineAsync("error: " + message).ConfigureAwait(false);
            return code;
        }
    }

    internal static Command Build(CliContext context)
    {
        // A plain Command named "pgkit" rather than RootCommand: RootCommand takes its name from the executable, which
        // is PgKit.Cli (dotnet PgKit.Cli.dll, or the tool shim's assembly), so help would say "Usage: PgKit.Cli".
        // Command.Name cannot be set afterwards, so the help and version options RootCommand adds are added here.
        var root = new Command("pgkit", "pgkit: migrations and the embedded PostgreSQL server for PgKit apps.")
        {
            Options = { new HelpOption(), new VersionOption() },
        };
        root.Options.Add(Verbose);
        root.Options.Add(ProjectFolder.Option);
        root.Subcommands.Add(MigrateCommands.Build(context));
        root.Subcommands.Add(DbCommands.Build(context));
        root.Subcommands.Add(SqlCommands.Build(context));
        return root;
    }

    /// <summary>Wraps a command body: maps exceptions to one sentence on stderr and an exit code.</summary>
    internal static void SetAction(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
        {
            try
            {
                return await body(result, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var (message, code) = Describe(e);
                await context.Error.WriteLineAsync("error: " + message).ConfigureAwait(false);
                if (result.GetValue(Verbose))
                {
                    await context.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
                }

                return code;
            }
            catch (OperationCanceledException)
            {
                await context.Error.WriteLineAsync("error: Cancelled.").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
        });

    // One sentence per failure; the exception chain is shown only with --verbose.
    private static (string Message, int Code) Describe(Exception e) => e switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        MigrationException migration => (migration.Message, ExitCodes.Failed),
        PostgresException pg => ($"PostgreSQL refused: {pg.MessageText} (SQLSTATE {pg.SqlState}).", ExitCodes.Failed),
        NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException } or NpgsqlException { InnerException: IOException }
            => ($"Could not reach the PostgreSQL server ({e.InnerException!.Message.TrimEnd('.')}); check that it is running and that the connection string points to it.", ExitCodes.Failed),
        NpgsqlException npgsql => ($"Could not talk to the PostgreSQL server: {npgsql.Message.TrimEnd('.')}.", ExitCodes.Failed),
        PostgresBinariesNotFoundException or PostgresServerException => (FirstLine(e.Message), ExitCodes.Failed),
        ArgumentException arg => (arg.Message, ExitCodes.Usage),
        _ => ($"{e.GetType().Name}: {FirstLine(e.Message)}", ExitCodes.Failed),
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();
}
