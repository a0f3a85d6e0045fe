using Microsoft.Extensions.Logging;

namespace PgKit.Embedded.Internal;

/// <summary>
/// Stops and deletes ephemeral servers whose owner process died without stopping them (a killed test run, say),
/// so orphaned postgres processes and temp folders do not pile up. Runs before each ephemeral start; a folder whose
/// owner is alive, or which this user may not touch, is left alone.
/// </summary>
internal static class OrphanReaper
{
    // A folder with no owner file yet may be a server being set up this instant by another process.
    private static readonly TimeSpan OwnerlessGrace = TimeSpan.FromMinutes(5);

    // A persistent server's socket folder outlives it when its owner died; an empty one older than the grace period
    // belongs to no running server (a running server keeps its socket and lock files there).
    private static void DeleteAbandonedSocketFolders()
    {
        foreach (var folder in Directory.GetDirectories(TempFolders.Root, "s-*"))
        {
            try
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > OwnerlessGrace && !Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use or not ours: leave it.
            }
        }
    }

    public static async Task ReapAsync(ServerAccount account, ILogger logger, CancellationToken cancellationToken)
    {
        string[] folders;
        try
        {
            folders = Directory.GetDirectories(TempFolders.Root, TempFolders.EphemeralPrefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        DeleteAbandonedSocketFolders();

        foreach (var folder in folders)
        {
            var owner = OwnerRecord.Read(folder);
            if (owner is null)
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) < OwnerlessGrace)
                {
                    continue;
                }
            }
            else if (owner.OwnerIsAlive())
            {
                continue;
            }

            try
            {
                var dataDirectory = Path.Combine(folder, "pgdata");
                if (owner is not null && PostmasterPid.ReadRunning(dataDirectory) is not null)
                {
                    var pgCtl = Path.Combine(owner.BinDirectory, "pg_ctl");
                    await account.RunAsync(pgCtl, ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "-s"], cancellationToken).ConfigureAwait(false);
                }

                Directory.Delete(folder, recursive: true);
                Log.ReapedOrphan(logger, folder, owner?.ProcessId ?? 0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                Log.ReapFailed(logger, e, folder);
            }
        }
    }
}
