namespace PgKit.Embedded;

/// <summary>Where a started server's cluster came from.</summary>
public enum ClusterOrigin
{
    /// <summary>A new cluster made by <c>initdb</c> for this server.</summary>
    Initialized,

    /// <summary>A copy of the cached pristine cluster (no <c>initdb</c> run).</summary>
    CopiedFromCache,

    /// <summary>An existing persistent cluster, started by this server.</summary>
    Existing,

    /// <summary>An existing persistent cluster that another process had already started; this server attached to it.</summary>
    Attached,

    /// <summary>A copy of another server's cluster made with <c>pg_basebackup</c>: a standby of a <see cref="PostgresCluster"/>.</summary>
    BaseBackup,
}
