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

    /// <summary>Reads the pid file and returns it only when the process it names is alive.</summary>
    public static PostmasterPid? ReadRunning(string dataDirectory)
    {
        var pid = Read(dataDirectory);
        return pid is not null && NativeMethods.ProcessExists(pid.ProcessId) ? pid : null;
    }
}
