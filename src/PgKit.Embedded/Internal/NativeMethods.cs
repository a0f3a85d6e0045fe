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

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getpwnam(string name);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, uint owner, uint group);

    /// <summary>
    /// Looks up an account's uid and gid. <c>struct passwd</c> starts with two pointers followed by
    /// <c>pw_uid</c> and <c>pw_gid</c> on Linux and macOS alike.
    /// </summary>
    public static (uint Uid, uint Gid)? LookUpAccount(string name)
    {
        var entry = getpwnam(name);
        if (entry == IntPtr.Zero)
        {
            return null;
        }

        var uid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        var gid = (uint)Marshal.ReadInt32(entry, (2 * IntPtr.Size) + sizeof(uint));
        return (uid, gid);
    }

    /// <summary>Changes a path's owner; returns the errno on failure, 0 on success.</summary>
    public static int ChangeOwner(string path, uint uid, uint gid) =>
        chown(path, uid, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>SIGINT: PostgreSQL's fast shutdown (end sessions, checkpoint, exit).</summary>
    public const int FastShutdownSignal = 2;

    /// <summary>SIGQUIT: PostgreSQL's immediate shutdown (exit at once, crash recovery on the next start).</summary>
    public const int ImmediateShutdownSignal = 3;

    /// <summary>Sends a signal; returns whether it was delivered.</summary>
    public static bool SendSignal(int pid, int signal) => pid > 0 && kill(pid, signal) == 0;

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
