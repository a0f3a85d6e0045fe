using System.CommandLine;
using System.Diagnostics;
using PgKit.Embedded;

namespace PgKit.Cli;

/// <summary>
/// <c>pgkit db start | stop | status | url | psql</c>: the persistent embedded server of the project folder (see
/// <see cref="ProjectFolder"/>), the same one the app started there uses.
/// </summary>
internal static class DbCommands
{
    public static Command Build(CliContext context)
    {
        var db = new Command("db", "The persistent embedded PostgreSQL server of the project folder (.pgkit/db).");

        var start = new Command("start", "Start the server of the project folder and leave it running.");
        CliApp.SetAction(start, context, async (result, cancellationToken) =>
        {
            var options = PostgresServerOptions.ForProject(ProjectFolder.Resolve(result, context));
            options.StopOnDispose = false;
            var server = await PostgresServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                // The app's database belongs to the app role, which the app and `pgkit migrate` connect as.
                await server.EnsureAppDatabaseAsync("postgres", cancellationToken).ConfigureAwait(false);
                var how = server.Origin == ClusterOrigin.Attached ? "was already running" : "is running";
                context.Output.WriteLine($"PostgreSQL {server.Version} {how} on 127.0.0.1:{server.Port} (data: {options.DataDirectory}).");
                context.Output.WriteLine("Its superuser URL, password included: pgkit db url");
            }

            return ExitCodes.Success;
        });

        var stop = new Command("stop", "Stop the server of the project folder; the data is kept.");
        CliApp.SetAction(stop, context, async (result, cancellationToken) =>
        {
            var options = PostgresServerOptions.ForProject(ProjectFolder.Resolve(result, context));
            var stopped = await PostgresServer.StopPersistentAsync(options.DataDirectory!, options, cancellationToken).ConfigureAwait(false);
            context.Output.WriteLine(stopped ? "Stopped the server of the project folder." : "No server was running for the project folder.");
            return ExitCodes.Success;
        });

        var status = new Command("status", "Tell whether the server of the project folder is running, and where.");
        CliApp.SetAction(status, context, (result, _) =>
        {
            if (Find(result, context) is { } running)
            {
                context.Output.WriteLine($"Running: 127.0.0.1:{running.Port}, process {running.ProcessId}, data {running.DataDirectory}.");
                context.Output.WriteLine($"URL: {running.Url}");
            }
            else
            {
                context.Output.WriteLine("Not running. Start it with: pgkit db start");
            }

            return Task.FromResult(ExitCodes.Success);
        });

        var url = new Command("url", "Print the server's postgres:// URL (for psql, DATABASE_URL or other tools).");
        CliApp.SetAction(url, context, (result, _) =>
        {
            context.Output.WriteLine(Require(result, context).Url);
            return Task.FromResult(ExitCodes.Success);
        });

        var extra = new Argument<string[]>("psql-arguments") { Description = "Arguments passed to psql (after --).", Arity = ArgumentArity.ZeroOrMore };
        var psql = new Command("psql", "Open psql on the server of the project folder.") { Arguments = { extra } };
        CliApp.SetAction(psql, context, async (result, cancellationToken) =>
        {
            var running = Require(result, context);
            var path = "psql";
            try
            {
                var binaries = await PostgresBinaries.LocateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var candidate = Path.Combine(binaries.Directory, OperatingSystem.IsWindows() ? "psql.exe" : "psql");
                path = File.Exists(candidate) ? candidate : path;
            }
            catch (PostgresBinariesNotFoundException)
            {
                // Fall back to psql on PATH.
            }

            var startInfo = new ProcessStartInfo(path) { UseShellExecute = false, WorkingDirectory = context.WorkingDirectory };
            startInfo.ArgumentList.Add(running.Url);
            foreach (var argument in result.GetValue(extra) ?? [])
            {
                startInfo.ArgumentList.Add(argument);
            }

            using var process = Process.Start(startInfo) ?? throw new CliException("Could not start psql.");
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.ExitCode;
        });

        foreach (var command in new[] { start, stop, status, url, psql })
        {
            db.Subcommands.Add(command);
        }

        return db;
    }

    private static RunningServer? Find(ParseResult result, CliContext context) =>
        PostgresServer.FindRunning(PostgresServerOptions.ForProject(ProjectFolder.Resolve(result, context)).DataDirectory!);

    private static RunningServer Require(ParseResult result, CliContext context) =>
        Find(result, context) ?? throw new CliException("No embedded server is running for the project folder; start it with 'pgkit db start'.");
}
