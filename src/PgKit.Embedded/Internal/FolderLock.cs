namespace PgKit.Embedded.Internal;

/// <summary>
/// An exclusive lock on a file that processes (and instances in one process) take in turn. .NET maps
/// <see cref="FileShare.None"/> to an advisory <c>flock</c> on Unix, which the kernel releases if the holder dies,
/// so a crashed starter never leaves the folder locked.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private readonly FileStream _stream;

    private FolderLock(FileStream stream) => _stream = stream;

    public static async Task<FolderLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
