using Microsoft.Extensions.Logging;

namespace PgKit.Embedded.Internal;

/// <summary>
/// Stops and deletes ephemeral servers whose owner process died without stopping them (a killed test run, say),
/// so orphaned postgres processes and temp folders do not pile up. Runs before each ephemeral start.
/// </summary>
/// <remarks>
/// Everything it reads from disk may have been written by someone else, so it trusts none of it: it looks only in this
/// user's private temp root, touches only real folders (not links) owned by this user or the server account, stops a
/// server with the <c>pg_ctl</c> of the binaries this process already runs (never a path read from a file), as the
/// server account, and deletes nothing but the orphan's own folder. A folder whose owner is alive is left alone.
/// </remarks>
internal static class OrphanReaper
{
    // A folder with no owner file yet may be a server being set up this instant by another process.
    private static readonly TimeSpan OwnerlessGrace = TimeSpan.FromMinutes(5);

    public static async Task ReapAsync(PostgresBinaries binaries, ServerAccount account, ILogger logger, CancellationToken cancellationToken)
    {
        string root;
        string[] folders;
        try
        {
            root = TempFolders.Root;
            folders = Directory.GetDirectories(root, TempFolders.EphemeralPrefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        DeleteAbandonedSocketFolders(root, account);

        foreach (var folder in folders)
        {
            if (!TempFolders.IsOwnedBy(folder, account))
            {
                continue;
            }

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
                foreach (var bouncer in Directory.GetDirectories(folder, "pgbouncer-*"))
                {
                    // A PgBouncer started in front of the orphaned server (PgBouncer.StartAsync): stopped as the server account.
                    await PgBouncer.KillAsync(account, bouncer).ConfigureAwait(false);
                }

                var dataDirectory = Path.Combine(folder, "pgdata");
                if (PostmasterPid.ReadRunning(dataDirectory) is not null)
                {
                    // Run as the server account: its signal can reach nothing but that account's processes.
                    await account.RunAsync(binaries.PgCtl, ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "-s"], cancellationToken).ConfigureAwait(false);
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

    // A persistent server's socket folder outlives it when its owner died; an empty one older than the grace period
    // belongs to no running server (a running server keeps its socket and lock files there).
    private static void DeleteAbandonedSocketFolders(string root, ServerAccount account)
    {
        foreach (var folder in Directory.GetDirectories(root, "s-*"))
        {
            try
            {
                if (TempFolders.IsOwnedBy(folder, account)
                    && DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > OwnerlessGrace
                    && !Directory.EnumerateFileSystemEntries(folder).Any())
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
}
