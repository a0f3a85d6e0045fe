namespace PgKit.Embedded.Internal;

/// <summary>Files that hold a secret (a key, a password, a SCRAM verifier): readable by their owner alone from the moment they exist.</summary>
internal static class OwnerOnlyFile
{
    /// <summary>
    /// Writes <paramref name="text"/> to a new file of mode 0600 (any file at <paramref name="path"/> is replaced, not
    /// reused: its mode could be wider) and gives it to the server account.
    /// </summary>
    public static void Write(string path, string text, ServerAccount account)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        File.Delete(path);
        using (var writer = new StreamWriter(new FileStream(path, options)))
        {
            writer.Write(text);
        }

        account.Give(path);
    }
}
