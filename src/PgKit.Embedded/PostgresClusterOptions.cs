namespace PgKit.Embedded;

/// <summary>Options for <see cref="PostgresCluster.StartAsync(PostgresClusterOptions?, CancellationToken)"/>: a primary and its streaming standbys.</summary>
public sealed class PostgresClusterOptions
{
    /// <summary>
    /// Gets or sets the options every member starts with (binaries, OS account, start timeout, extra settings,
    /// logging). Members are always ephemeral: <see cref="PostgresServerOptions.DataDirectory"/> and
    /// <see cref="PostgresServerOptions.Port"/> must stay unset.
    /// </summary>
    public PostgresServerOptions Server { get; set; } = new();

    /// <summary>Gets or sets how many streaming standbys follow the primary.</summary>
    /// <value>The default value is 1. At most 8.</value>
    public int Standbys { get; set; } = 1;

    /// <summary>
    /// Gets per-standby apply delays (<c>recovery_min_apply_delay</c>): entry <c>i</c> makes standby <c>i</c> (0-based)
    /// apply each commit that long after the primary made it, as a lagging replica does. Missing entries mean none.
    /// </summary>
    public IList<TimeSpan> ApplyDelays { get; } = new List<TimeSpan>();

    /// <summary>
    /// Gets or sets whether a commit on the primary waits until a standby has the commit's WAL on disk:
    /// <c>synchronous_standby_names = 'ANY 1 (standbys...)'</c> with <c>synchronous_commit = on</c>. With a quorum of
    /// one, stopping one standby of two does not stop commits; stopping every standby does (commits wait until one returns).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: asynchronous replication.</value>
    public bool SynchronousReplication { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (Server is null)
        {
            problems.Add($"{nameof(Server)} must be set.");
        }
        else
        {
            if (Server.DataDirectory is not null)
            {
                problems.Add($"{nameof(Server)}.{nameof(PostgresServerOptions.DataDirectory)} must be null: cluster members are ephemeral.");
            }

            if (Server.Port != 0)
            {
                problems.Add($"{nameof(Server)}.{nameof(PostgresServerOptions.Port)} must be 0: each member picks a free port.");
            }
        }

        if (Standbys is < 1 or > 8)
        {
            problems.Add($"{nameof(Standbys)} must be between 1 and 8 (was {Standbys}).");
        }

        if (ApplyDelays.Count > Standbys)
        {
            problems.Add($"{nameof(ApplyDelays)} has {ApplyDelays.Count} entries for {Standbys} standbys.");
        }

        if (ApplyDelays.Any(d => d < TimeSpan.Zero))
        {
            problems.Add($"{nameof(ApplyDelays)} must not be negative.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid PostgresClusterOptions: " + string.Join(" ", problems));
        }
    }
}
