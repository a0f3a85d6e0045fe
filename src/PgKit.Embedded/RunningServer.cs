using PgKit.Embedded.Internal;

namespace PgKit.Embedded;

/// <summary>A persistent server found running, as <see cref="PostgresServer.FindRunning"/> reports it.</summary>
/// <param name="DataDirectory">The cluster's data folder.</param>
/// <param name="ProcessId">The postmaster's process id.</param>
/// <param name="Port">The TCP port on 127.0.0.1.</param>
/// <param name="SocketDirectory">The folder holding the unix socket.</param>
/// <param name="OwnerProcessId">The process that stops it on exit, or <see langword="null"/> when it was left running on purpose or its owner is gone.</param>
public sealed record RunningServer(string DataDirectory, int ProcessId, int Port, string SocketDirectory, int? OwnerProcessId)
{
    /// <summary>The cluster's passwords, when this OS user may read them.</summary>
    internal ClusterSecrets? Secrets { get; init; }

    /// <summary>
    /// Gets an Npgsql connection string to the <c>postgres</c> database as the <c>postgres</c> superuser, with its
    /// password when this OS user may read the cluster's secrets (without it, TCP logins are refused).
    /// </summary>
    public string ConnectionString => PostgresServer.BuildConnectionString(Port, "postgres", ClusterFiles.SuperUser, Secrets?.SuperUserPassword ?? string.Empty);

    /// <summary>Builds a connection string to a database as the role without superuser rights that apps use (<c>app</c>).</summary>
    /// <param name="database">The database name.</param>
    /// <returns>An Npgsql connection string, with the role's password when this OS user may read the cluster's secrets.</returns>
    public string GetAppConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return PostgresServer.BuildConnectionString(Port, database, ClusterFiles.AppRole, Secrets?.AppPassword ?? string.Empty);
    }

    /// <summary>Gets the superuser connection as a <c>postgres://</c> URL, for psql and other libpq tools. It holds the password.</summary>
    public string Url => Secrets is null
        ? $"postgres://{ClusterFiles.SuperUser}@127.0.0.1:{Port}/postgres"
        : $"postgres://{ClusterFiles.SuperUser}:{Secrets.SuperUserPassword}@127.0.0.1:{Port}/postgres";
}
