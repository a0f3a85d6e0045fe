using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using PgKit.Embedded.Internal;

namespace PgKit.Embedded;

/// <summary>
/// A local replicated PostgreSQL for tests and development: a primary and streaming standbys made with
/// <c>pg_basebackup</c>, each with a physical replication slot, every member an ephemeral <see cref="PostgresServer"/>
/// (same folders, root handling, orphan clean-up and stop-on-exit). Standbys stream as the <c>replicator</c> role,
/// whose random password is kept with the cluster's other secrets and given to the standby in a password file
/// readable by the server account alone; <c>pg_hba.conf</c> allows replication over TCP with <c>scram-sha-256</c> only.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 2 });
/// var app = await cluster.EnsureAppDatabaseAsync("shop");   // Host=primary,standby1,standby2
/// await cluster.Primary.StopAsync(immediate: true);
/// await cluster.PromoteMostAdvancedStandbyAsync();
/// </code>
/// </example>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly List<ClusterMember> _members;
    private int _disposed;

    private PostgresCluster(List<ClusterMember> members)
    {
        _members = members;
    }

    /// <summary>Gets the current primary: the first member, or the standby last promoted.</summary>
    public ClusterMember Primary => _members.First(m => m.IsPrimary);

    /// <summary>Gets the members still following a primary (a promoted standby and the primary it replaced are not among them).</summary>
    public IReadOnlyList<ClusterMember> Standbys => _members.Where(m => !m.IsPrimary && !m.IsRetired).ToList();

    /// <summary>Gets every member, in start order: the first primary, then the standbys.</summary>
    public IReadOnlyList<ClusterMember> Members => _members;

    /// <summary>Starts a primary and its standbys, and returns once every standby streams from the primary.</summary>
    /// <param name="options">The options; <see langword="null"/> starts a primary and one asynchronous standby.</param>
    /// <param name="cancellationToken">Cancels the start; members already started are stopped again.</param>
    /// <returns>The running cluster.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="PostgresServerException">A member could not be made or did not start; the message says which and why.</exception>
    public static async Task<PostgresCluster> StartAsync(PostgresClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresClusterOptions();
        options.Validate();

        var members = new List<ClusterMember>();
        try
        {
            // Synchronous replication is switched on only once the standbys stream: before, every commit would wait.
            // An ephemeral server commits without waiting for the WAL flush, and standbys receive only flushed WAL, so
            // every commit would reach them up to wal_writer_delay (200 ms) late: replication would lag as it never does
            // in production. With fsync off, waiting for the flush costs little. The server's own Settings may say otherwise.
            var primaryOptions = options.Server.ForMember([]);
            primaryOptions.Settings.TryAdd("synchronous_commit", "on");
            var primary = await PostgresServer.StartAsync(primaryOptions, cancellationToken).ConfigureAwait(false);
            members.Add(new ClusterMember("pg0", primary, isPrimary: true));
            var secrets = ClusterSecrets.WithReplicationPassword(primary.Folder, primary.Secrets);
            await ClusterRoles.ExecuteOnceAsync(
                primary.ConnectionString,
                $"CREATE ROLE {ClusterFiles.ReplicationRole} WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{Hex(secrets.ReplicationPassword!)}'",
                cancellationToken).ConfigureAwait(false);

            for (var index = 0; index < options.Standbys; index++)
            {
                var name = "pg" + (index + 1).ToString(CultureInfo.InvariantCulture);
                var delay = index < options.ApplyDelays.Count ? options.ApplyDelays[index] : TimeSpan.Zero;
                var standby = await StartStandbyAsync(options.Server, primary, secrets, name, delay, cancellationToken).ConfigureAwait(false);
                members.Add(new ClusterMember(name, standby, isPrimary: false));
            }

            var cluster = new PostgresCluster(members);
            await cluster.WaitForStreamingAsync(primary, options.Standbys, options.Server.StartTimeout, cancellationToken).ConfigureAwait(false);
            if (options.SynchronousReplication)
            {
                var names = string.Join(", ", members.Skip(1).Select(m => m.Name));
                await ClusterRoles.ExecuteOnceAsync(
                    primary.ConnectionString,
                    $"ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 ({names})'; ALTER SYSTEM SET synchronous_commit = 'on'; SELECT pg_catalog.pg_reload_conf();",
                    cancellationToken).ConfigureAwait(false);
            }

            return cluster;
        }
        catch
        {
            foreach (var member in members)
            {
                await member.Server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Builds a multi-host connection string as the app role: the current primary first, then the standbys, for
    /// Npgsql's multi-host data source (<c>Target Session Attributes</c> then picks among them).
    /// </summary>
    /// <param name="database">The database name.</param>
    /// <returns>An Npgsql connection string naming every member, password included.</returns>
    public string GetAppConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        var hosts = new[] { Primary }.Concat(Standbys).Select(m => "127.0.0.1:" + m.Port.ToString(CultureInfo.InvariantCulture));
        return new NpgsqlConnectionStringBuilder(Primary.GetAppConnectionString(database)) { Host = string.Join(",", hosts), Port = 5432 }.ConnectionString;
    }

    /// <summary>
    /// Makes sure a database owned by the app role exists on the primary (see
    /// <see cref="PostgresServer.EnsureAppDatabaseAsync"/>) and waits until every running standby has replayed it.
    /// </summary>
    /// <param name="database">The database name.</param>
    /// <param name="cancellationToken">Cancels the statements and the wait.</param>
    /// <returns>The multi-host app connection string (<see cref="GetAppConnectionString"/>).</returns>
    public async Task<string> EnsureAppDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        await Primary.Server.EnsureAppDatabaseAsync(database, cancellationToken).ConfigureAwait(false);
        await WaitForReplayAsync(cancellationToken).ConfigureAwait(false);
        return GetAppConnectionString(database);
    }

    /// <summary>Waits until every running standby has replayed the primary's WAL as it is now (apply delays included).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the standbys have caught up.</returns>
    public async Task WaitForReplayAsync(CancellationToken cancellationToken = default)
    {
        var target = await Primary.GetWalPositionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var standby in Standbys.Where(s => s.IsRunning))
        {
            while (await standby.GetWalPositionAsync(cancellationToken).ConfigureAwait(false) is var replayed && (replayed == NpgsqlLogSequenceNumber.Invalid || replayed < target))
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Promotes a standby to primary (<c>pg_promote()</c>, waiting until it accepts writes). The new primary has no
    /// <c>synchronous_standby_names</c>, whatever the old one had, so its commits never wait for a standby that does
    /// not follow it. The old primary, when still running, is not stopped: stop it first, as a failover does. Other
    /// standbys keep following the old primary.
    /// </summary>
    /// <param name="standby">The standby to promote, one of <see cref="Standbys"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the standby accepts writes.</returns>
    /// <exception cref="ArgumentException">The member is not a standby of this cluster.</exception>
    /// <exception cref="PostgresServerException">The promotion did not finish within 60 s.</exception>
    public async Task PromoteAsync(ClusterMember standby, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(standby);
        if (!_members.Contains(standby) || standby.IsPrimary || standby.IsRetired)
        {
            throw new ArgumentException($"{standby} is not a standby of this cluster.", nameof(standby));
        }

        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(standby.ConnectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT pg_catalog.pg_promote(true, 60)", connection);
            await using (command.ConfigureAwait(false))
            {
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
                {
                    throw new PostgresServerException($"{standby} was not promoted within 60 s. Last lines of its log:{Environment.NewLine}{standby.Server.ReadLogTail(30)}");
                }
            }

            // A base backup taken after synchronous replication was switched on would carry the setting along.
            command = new NpgsqlCommand("ALTER SYSTEM RESET synchronous_standby_names; SELECT pg_catalog.pg_reload_conf();", connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var old = Primary;
        old.IsPrimary = false;
        old.IsRetired = true;
        standby.IsPrimary = true;
    }

    /// <summary>
    /// Promotes the running standby that has the most WAL on disk (<c>pg_last_wal_receive_lsn()</c>, or its replay
    /// position after a restart) and returns it. With a quorum (<c>ANY 1 (pg1, pg2)</c>) an acknowledged commit is on
    /// <em>some</em> standby's disk, not necessarily the first one's: only the most advanced standby is sure to hold
    /// every acknowledged commit, so a failover promotes that one. Then as <see cref="PromoteAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the queries and the wait.</param>
    /// <returns>The promoted member, now <see cref="Primary"/>.</returns>
    /// <exception cref="InvalidOperationException">No standby of this cluster is running.</exception>
    /// <exception cref="PostgresServerException">The promotion did not finish within 60 s.</exception>
    public async Task<ClusterMember> PromoteMostAdvancedStandbyAsync(CancellationToken cancellationToken = default)
    {
        ClusterMember? best = null;
        var bestPosition = NpgsqlLogSequenceNumber.Invalid;
        foreach (var standby in Standbys.Where(s => s.IsRunning))
        {
            var position = await ReceivedPositionAsync(standby, cancellationToken).ConfigureAwait(false);
            if (best is null || position > bestPosition)
            {
                (best, bestPosition) = (standby, position);
            }
        }

        if (best is null)
        {
            throw new InvalidOperationException("No standby of this cluster is running: there is nothing to promote.");
        }

        await PromoteAsync(best, cancellationToken).ConfigureAwait(false);
        return best;
    }

    /// <summary>Stops every member and deletes its folder.</summary>
    /// <returns>A task that completes when every member is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Standbys first, so none logs a lost primary on the way down.
        for (var index = _members.Count - 1; index >= 0; index--)
        {
            await _members[index].Server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

    }

    private static async Task<PostgresServer> StartStandbyAsync(PostgresServerOptions template, PostgresServer primary, ClusterSecrets secrets, string name, TimeSpan applyDelay, CancellationToken cancellationToken)
    {
        var seed = new ServerSeed(
            async (target, token) =>
            {
                // The password goes in a file only the server account reads, not on a command line or in a setting.
                var passFile = Path.Combine(target.Folder, "replication.pgpass");
                WritePassFile(passFile, primary.Port, secrets.ReplicationPassword!, target.Account);
                var source = Conninfo(primary.Port, passFile, name);
                var result = await target.Account.RunAsync(
                    Path.Combine(target.Binaries.Directory, "pg_basebackup"),
                    ["-d", source, "-D", target.DataDirectory, "-X", "stream", "-C", "-S", name, "-c", "fast", "--no-sync", "-w"],
                    token).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    throw new PostgresServerException($"pg_basebackup of the primary (port {primary.Port}) for standby {name} failed (exit code {result.ExitCode}): {result.Output.Trim()}");
                }

                var signal = Path.Combine(target.DataDirectory, "standby.signal");
                await File.WriteAllTextAsync(signal, string.Empty, token).ConfigureAwait(false);
                target.Account.Give(signal);
                return
                [
                    new("hot_standby", "on"),
                    new("primary_conninfo", source),
                    new("primary_slot_name", name),
                    new("recovery_min_apply_delay", ((long)applyDelay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms"),
                ];
            },
            secrets);
        return await PostgresServer.StartSeededAsync(template.ForMember([]), seed, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<NpgsqlLogSequenceNumber> ReceivedPositionAsync(ClusterMember standby, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(standby.ConnectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // The receive position is NULL until the WAL receiver has written something since this start: then what it replayed counts.
            var command = new NpgsqlCommand("SELECT GREATEST(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())", connection);
            await using (command.ConfigureAwait(false))
            {
                return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is NpgsqlLogSequenceNumber position ? position : NpgsqlLogSequenceNumber.Invalid;
            }
        }
    }

    private static string Conninfo(int port, string passFile, string applicationName) =>
        string.Create(CultureInfo.InvariantCulture, $"host=127.0.0.1 port={port} user={ClusterFiles.ReplicationRole} passfile='{passFile}' application_name={applicationName} dbname=replication");

    private static void WritePassFile(string path, int port, string password, ServerAccount account) =>
        OwnerOnlyFile.Write(path, string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}:*:{ClusterFiles.ReplicationRole}:{Hex(password)}\n"), account);

    private async Task WaitForStreamingAsync(PostgresServer primary, int standbys, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(primary.ConnectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (true)
                {
                    var command = new NpgsqlCommand("SELECT count(*)::int FROM pg_catalog.pg_stat_replication WHERE state = 'streaming'", connection);
                    await using (command.ConfigureAwait(false))
                    {
                        if ((int)(await command.ExecuteScalarAsync(limit.Token).ConfigureAwait(false))! >= standbys)
                        {
                            return;
                        }
                    }

                    await Task.Delay(20, limit.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var logs = string.Join(Environment.NewLine, _members.Skip(1).Select(m => $"{m.Name}:{Environment.NewLine}{m.Server.ReadLogTail(15)}"));
                throw new PostgresServerException($"The standbys did not start streaming within {timeout.TotalSeconds:0.#} s. Last lines of their logs:{Environment.NewLine}{logs}");
            }
        }
    }

    private static string Hex(string password) =>
        password.All(char.IsAsciiHexDigit) ? password : throw new InvalidOperationException("A cluster password is not hex; secrets.json was edited by hand.");
}
