namespace PgKit.Embedded.Tests.Support;

/// <summary>
/// Scratch folders for tests, under the system temp folder so the unprivileged server account can reach them
/// even when the checkout lives in a private folder.
/// </summary>
internal static class TestFolders
{
    public static string Root
    {
        get
        {
            var root = Path.Combine(Path.GetTempPath(), "pgkit-tests");
            Directory.CreateDirectory(root);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(root, (UnixFileMode)0b1_111_111_111);
            }

            return root;
        }
    }

    public static string NewFolderPath(string prefix) => Path.Combine(Root, prefix + "-" + Guid.NewGuid().ToString("N")[..10]);

    public static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// Waits until a process is gone. pg_ctl's wait ends when the pid file is removed, a moment before the
    /// postmaster has fully exited, so "stopped" is asserted with a short grace period.
    /// </summary>
    public static bool ProcessGone(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ProcessAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    /// <summary>Whether a process with this id is alive.</summary>
    public static bool ProcessAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
