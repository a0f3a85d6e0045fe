namespace PgKit.Embedded.Internal;

/// <summary>Reads the end of the server's log, for error messages and test output.</summary>
internal static class LogFile
{
    private const long RotateAbove = 10 * 1024 * 1024;

    public static string Tail(string path, int lines)
    {
        try
        {
            if (!File.Exists(path))
            {
                return "(no server log was written)";
            }

            // Read only the end: a persistent server's log can grow large.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(0, stream.Length - (lines * 400L));
            stream.Seek(start, SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(the server log {path} could not be read: {e.Message})";
        }
    }

    /// <summary>Keeps one previous log of a persistent server when the current one has grown large.</summary>
    public static void RotateIfLarge(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > RotateAbove)
        {
            File.Move(path, path + ".1", overwrite: true);
        }
    }
}
