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

    // statx, not stat: its struct has one layout on every Linux architecture, where struct stat differs.
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxTypeModeUid = 0x1 | 0x2 | 0x8;
    private const int StatxUidOffset = 20;
    private const int StatxModeOffset = 28;
    private const int StatxSize = 256;

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

    /// <summary>The effective user id of this process; 0 on Windows.</summary>
    public static uint EffectiveUserId => OperatingSystem.IsWindows() ? 0 : geteuid();

    /// <summary>
    /// The owner and mode (type bits included) of a path itself, not following a symbolic link; null when it does not
    /// exist, cannot be examined, or the system is not Linux (elsewhere the temp folder is private to the user already).
    /// </summary>
    public static unsafe (uint Uid, uint Mode)? StatNoFollow(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = stackalloc byte[StatxSize];
        if (statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxTypeModeUid, buffer) != 0)
        {
            return null;
        }

        return (*(uint*)(buffer + StatxUidOffset), *(ushort*)(buffer + StatxModeOffset));
    }

    /// <summary>The file-type bits of a mode that mark a directory (S_IFDIR), under the S_IFMT mask.</summary>
    public const uint DirectoryType = 0x4000;

    /// <summary>S_IFMT: the mask of a mode's file-type bits.</summary>
    public const uint FileTypeMask = 0xF000;

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
            // A zombie has exited and only waits to be reaped, which a container's init may never do.
            return !IsZombie(pid);
        }

        return Marshal.GetLastPInvokeError() != ESRCH;
    }

    /// <summary>Whether a process has exited but is not reaped yet (Linux: state Z or X in <c>/proc/&lt;pid&gt;/stat</c>).</summary>
    public static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // "pid (comm) state ...": comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            return end > 0 && end + 2 < stat.Length && stat[end + 2] is 'Z' or 'X';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
