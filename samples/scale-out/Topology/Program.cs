using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;
using PgKit.Embedded;

// The database side of samples/scale-out: a primary and one synchronous standby (PgKit.Embedded's PostgresCluster),
// one PgBouncer in transaction mode per member, the connection strings written to <state>/topology.env, then one
// command a line on stdin, each answered on stdout with "OK <command> <unix ms>" or "ERR <command> <message>":
//   kill-primary   immediate shutdown of the primary (as a crash: no checkpoint)
//   promote        promote the standby (pg_promote; its synchronous_standby_names is reset)
//   repoint        every PgBouncer whose member is down is sent to the current primary (config rewrite + RELOAD)
//   status         one line per member and PgBouncer
//   quit           (or end of input, SIGINT, SIGTERM) stop the PgBouncers and the cluster, delete their folders
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Topology <state folder>");
    return 2;
}

var state = Directory.CreateDirectory(args[0]).FullName;
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });

// Synchronous replication makes "acknowledged writes lost" meaningful: a commit is acknowledged once the standby has
// its WAL on disk, so promoting that standby loses none. ANY 1 (pg1): with a single standby, stopping it would stop
// every commit; the sample never stops the standby.
var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 1, SynchronousReplication = true }, stop.Token);
var bouncers = new List<(ClusterMember Member, PgBouncer Bouncer)>();
try
{
    const string database = "shop";
    var direct = await cluster.EnsureAppDatabaseAsync(database, stop.Token);
    foreach (var member in cluster.Members)
    {
        bouncers.Add((member, await member.StartPgBouncerAsync(poolSize: 20, stop.Token)));
    }

    // The app reaches the members through their PgBouncers only; Npgsql's multi-host data source asks each which role
    // its server has. Migrations and the load driver's final check go direct, to whichever member is the primary.
    var app = new NpgsqlConnectionStringBuilder(bouncers[0].Bouncer.GetAppConnectionString(database))
    {
        Host = string.Join(",", bouncers.Select(b => "127.0.0.1:" + b.Bouncer.Port.ToString(CultureInfo.InvariantCulture))),
        Port = 5432,
    }.ConnectionString;
    var primaryDirect = new NpgsqlConnectionStringBuilder(direct) { TargetSessionAttributes = "primary" }.ConnectionString;
    await File.WriteAllLinesAsync(Path.Combine(state, "topology.env"),
    [
        $"PG_APP={Quote(app)}",
        $"PG_DIRECT={Quote(primaryDirect)}",
    ], stop.Token);
    if (!OperatingSystem.IsWindows())
    {
        // Passwords inside: owner-only.
        File.SetUnixFileMode(Path.Combine(state, "topology.env"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    PrintStatus();
    Console.WriteLine("READY " + Now());

    var lines = Console.In;
    while (!stop.IsCancellationRequested)
    {
        string? line;
        try
        {
            line = await lines.ReadLineAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            break;
        }

        var command = line?.Trim();
        if (command is null or "quit")
        {
            break;
        }

        try
        {
            switch (command)
            {
                case "kill-primary":
                    // The time once the primary is down: a write sent after it cannot have committed on the old primary.
                    await cluster.Primary.StopAsync(immediate: true, stop.Token);
                    Console.WriteLine($"OK kill-primary {Now()}");
                    break;
                case "promote":
                    // The standby with the most WAL on disk: with a quorum, the only one sure to hold every acknowledged commit.
                    var standby = await cluster.PromoteMostAdvancedStandbyAsync(stop.Token);
                    Console.WriteLine($"OK promote {Now()} {standby.Name}");
                    break;
                case "repoint":
                    var primary = cluster.Primary;
                    foreach (var (member, bouncer) in bouncers.Where(b => !b.Member.IsRunning && b.Bouncer.TargetPort != primary.Port))
                    {
                        await bouncer.RepointAsync(primary, stop.Token);
                        Console.WriteLine($"# pgbouncer :{bouncer.Port} of {member.Name} now sends to {primary.Name} :{primary.Port}");
                    }

                    Console.WriteLine($"OK repoint {Now()}");
                    break;
                case "status":
                    PrintStatus();
                    Console.WriteLine($"OK status {Now()}");
                    break;
                case "":
                    break;
                default:
                    Console.WriteLine($"ERR {command} unknown command (kill-primary, promote, repoint, status, quit)");
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.WriteLine($"ERR {command} {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
finally
{
    foreach (var (_, bouncer) in bouncers)
    {
        await bouncer.DisposeAsync();
    }

    await cluster.DisposeAsync();
    Console.WriteLine("STOPPED " + Now());
}

return 0;

static string Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

// A single-quoted shell word: the file is sourced by run.sh.
static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

void PrintStatus()
{
    foreach (var member in cluster.Members)
    {
        Console.WriteLine($"# {member.Name}: port {member.Port}, {(member.IsPrimary ? "primary" : "standby")}, {(member.IsRunning ? "running" : "down")}, folder {Path.GetDirectoryName(member.LogFilePath)}");
    }

    foreach (var (member, bouncer) in bouncers)
    {
        Console.WriteLine($"# pgbouncer of {member.Name}: port {bouncer.Port} -> {bouncer.TargetPort} (transaction mode)");
    }
}
