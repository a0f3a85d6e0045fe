using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace PgKit.Embedded;

/// <summary>One server of a <see cref="PostgresCluster"/>: the primary or a streaming standby.</summary>
public sealed class ClusterMember
{
    private readonly PostgresServer _server;

    internal ClusterMember(string name, PostgresServer server, bool isPrimary)
    {
        Name = name;
        _server = server;
        IsPrimary = isPrimary;
    }

    /// <summary>Gets the member's name (<c>pg0</c> for the first primary, <c>pg1</c>, <c>pg2</c>... for the standbys): its <c>application_name</c> and replication slot on the primary.</summary>
    public string Name { get; }

    /// <summary>Gets whether the cluster knows this member as its primary (the first one, or a promoted standby).</summary>
    public bool IsPrimary { get; internal set; }

    /// <summary>Gets whether the member's server is running now.</summary>
    public bool IsRunning => _server.IsRunning;

    /// <summary>Gets the TCP port the member listens on, on 127.0.0.1.</summary>
    public int Port => _server.Port;

    /// <summary>Gets an Npgsql connection string to this member's <c>postgres</c> database as the superuser, password included.</summary>
    public string ConnectionString => _server.ConnectionString;

    /// <summary>Gets the path of the member's server log.</summary>
    public string LogFilePath => _server.LogFilePath;

    internal PostgresServer Server => _server;

    /// <summary>Whether this member was the primary before a promotion: it follows no one and leads no one any more.</summary>
    internal bool IsRetired { get; set; }

    /// <summary>Builds a connection string to one database of this member as the app role (no superuser rights), password included.</summary>
    /// <param name="database">The database name.</param>
    /// <returns>An Npgsql connection string.</returns>
    public string GetAppConnectionString(string database) => _server.GetAppConnectionString(database);

    /// <summary>
    /// Reads the member's WAL position: on a standby, how far it has replayed (<c>pg_last_wal_replay_lsn()</c>), on
    /// the primary, how far it has inserted WAL (<c>pg_current_wal_insert_lsn()</c>: past every commit made so far, even one not flushed yet).
    /// </summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The position; <see cref="NpgsqlLogSequenceNumber.Invalid"/> for a standby that has replayed nothing yet.</returns>
    public async Task<NpgsqlLogSequenceNumber> GetWalPositionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_insert_lsn() END", connection);
            await using (command.ConfigureAwait(false))
            {
                var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return value is NpgsqlLogSequenceNumber position ? position : NpgsqlLogSequenceNumber.Invalid;
            }
        }
    }

    /// <summary>
    /// Stops the member's server, keeping its data, so <see cref="StartAsync"/> can start it again. Stopping the
    /// primary leaves the standbys running (read-only) until one is promoted.
    /// </summary>
    /// <param name="immediate"><see langword="true"/> for an immediate shutdown, as a crash would do (no checkpoint); <see langword="false"/> for a fast one.</param>
    /// <param name="cancellationToken">Cancels waiting for the stop.</param>
    /// <returns>A task that completes when the server is down.</returns>
    public Task StopAsync(bool immediate = false, CancellationToken cancellationToken = default) => _server.HaltAsync(immediate, cancellationToken);

    /// <summary>Starts the member's server again after <see cref="StopAsync"/>, on the same port; a standby resumes streaming from its slot.</summary>
    /// <param name="cancellationToken">Cancels waiting for the start.</param>
    /// <returns>A task that completes when the server accepts connections.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default) => _server.RestartAsync(cancellationToken);

    /// <summary>
    /// Starts PgBouncer in transaction mode in front of this member (<see cref="PgBouncer.StartAsync(PostgresServer, int, CancellationToken)"/>):
    /// one per member, as PgBouncer does no failover; <see cref="PgBouncer.RepointAsync"/> sends it to another member later.
    /// </summary>
    /// <param name="poolSize">How many server connections each database and role gets (<c>default_pool_size</c>).</param>
    /// <param name="cancellationToken">Cancels the start; a PgBouncer half-started is stopped again.</param>
    /// <returns>The running PgBouncer; dispose it before the cluster.</returns>
    /// <exception cref="PostgresServerException">PgBouncer is not installed, or did not start; the message says why.</exception>
    public Task<PgBouncer> StartPgBouncerAsync(int poolSize = 10, CancellationToken cancellationToken = default) =>
        PgBouncer.StartAsync(_server, poolSize, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({(IsPrimary ? "primary" : "standby")}, port {Port})");
}
