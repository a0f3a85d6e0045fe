using System.Globalization;

namespace PgKit.Embedded.Internal;

/// <summary>
/// The server's own <c>postmaster.pid</c>: its process id, port and socket folder. PostgreSQL writes it while
/// running and removes it on a clean stop, so it tells whether a cluster is already being served, and where.
/// </summary>
internal sealed record PostmasterPid(int ProcessId, int Port, string SocketDirectory)
{
    public static PostmasterPid? Read(string dataDirectory)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(dataDirectory, "postmaster.pid"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // Line 1: pid, 4: port, 5: first socket directory (see PostgreSQL's pidfile.h).
        if (lines.Length < 5
            || !int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(lines[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port))
        {
            return null;
        }

        return new PostmasterPid(pid, port, lines[4].Trim());
    }

    /// <summary>
    /// Deletes a <c>postmaster.pid</c> left by a postmaster that was killed (SIGKILL) and is now a zombie nobody reaps
    /// (a container whose init does not reap): PostgreSQL would take the zombie for a running server and refuse to
    /// start. Only when no live process still works in the data folder (every PostgreSQL process has it as its current
    /// folder), so a backend that outlived its postmaster keeps the lock file, and PostgreSQL's own shared-memory check.
    /// </summary>
    /// <returns>Whether a stale lock file was deleted.</returns>
    public static bool RemoveIfLeftByZombie(string dataDirectory)
    {
        if (Read(dataDirectory) is not { } pid || !NativeMethods.IsZombie(pid.ProcessId) || AnyLiveProcessIn(dataDirectory))
        {
            return false;
        }

        File.Delete(Path.Combine(dataDirectory, "postmaster.pid"));
        return true;
    }

    private static bool AnyLiveProcessIn(string dataDirectory)
    {
        var full = Path.GetFullPath(dataDirectory).TrimEnd('/');
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (new DirectoryInfo(Path.Combine(folder, "cwd")).LinkTarget is { } cwd && cwd.TrimEnd('/') == full && !NativeMethods.IsZombie(pid))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read: another user's process cannot be this server's.
            }
        }

        return false;
    }

    /// <summary>Reads the pid file and returns it only when the process it names is alive.</summary>
    public static PostmasterPid? ReadRunning(string dataDirectory)
    {
        var pid = Read(dataDirectory);
        return pid is not null && NativeMethods.ProcessExists(pid.ProcessId) ? pid : null;
    }
}
