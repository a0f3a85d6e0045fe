using System.Globalization;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>CPU time of processes, read from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, and the reaped children's cutime + cstime).</summary>
internal static class CpuTime
{
    // USER_HZ: the unit of the times in /proc/<pid>/stat, 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>
    /// CPU seconds the whole machine spent busy, over all cores (user, nice, system, irq, softirq and steal of the first
    /// line of <c>/proc/stat</c>): a slice's figure minus what the app, PostgreSQL and the client used is what everything
    /// else took from them (other processes, kernel threads, another guest on the host).
    /// </summary>
    public static double MachineBusy()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int number) => fields.Length > number ? long.Parse(fields[number], CultureInfo.InvariantCulture) : 0;
            return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The process's own CPU seconds (user + system), or 0 when it is gone.</summary>
    public static double Self(int pid) => Read(pid) is { } t ? t.Own : 0;

    /// <summary>CPU seconds of the process's children that have exited and been waited for (how wrk and pgbench are measured).</summary>
    public static double ReapedChildren(int pid) => Read(pid) is { } t ? t.Children : 0;

    /// <summary>
    /// CPU seconds of a whole PostgreSQL server: the postmaster, every live child (backends, walwriter, autovacuum...), and
    /// the children that already exited (accumulated in the postmaster's cutime + cstime when it reaped them).
    /// </summary>
    public static double ProcessTree(int rootPid)
    {
        if (Read(rootPid) is not { } root)
        {
            return 0;
        }

        var total = root.Own + root.Children;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == rootPid)
            {
                continue;
            }

            if (Read(pid) is { } child && child.ParentPid == rootPid)
            {
                total += child.Own;
            }
        }

        return total;
    }

    private static (int ParentPid, double Own, double Children)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture); // number as in proc(5)
        return ((int)Field(4), (Field(14) + Field(15)) / TicksPerSecond, (Field(16) + Field(17)) / TicksPerSecond);
    }
}
