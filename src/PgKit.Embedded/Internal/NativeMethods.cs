using System.Runtime.InteropServices;

namespace PgKit.Embedded.Internal;

/// <summary>The few POSIX calls .NET does not expose: who we are, and whether a process id is alive.</summary>
internal static partial class NativeMethods
{
    private const int ESRCH = 3;

    [LibraryImport("libc", SetLastError = true)]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    /// <summary>Whether this process runs as root (effective uid 0); always false on Windows.</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && geteuid() == 0;

    /// <summary>
    /// Whether a process with this id exists. Signal 0 checks without sending anything; EPERM means it exists
    /// but belongs to another user, which still counts as alive.
    /// </summary>
    public static bool ProcessExists(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (kill(pid, 0) == 0)
        {
            return true;
        }

        return Marshal.GetLastPInvokeError() != ESRCH;
    }
}
