namespace PgKit.Embedded;

/// <summary>A persistent server found running, as <see cref="PostgresServer.FindRunning"/> reports it.</summary>
/// <param name="DataDirectory">The cluster's data folder.</param>
/// <param name="ProcessId">The postmaster's process id.</param>
/// <param name="Port">The TCP port on 127.0.0.1.</param>
/// <param name="SocketDirectory">The folder holding the unix socket.</param>
/// <param name="OwnerProcessId">The process that stops it on exit, or <see langword="null"/> when it was left running on purpose or its owner is gone.</param>
public sealed record RunningServer(string DataDirectory, int ProcessId, int Port, string SocketDirectory, int? OwnerProcessId)
{
    /// <summary>Gets an Npgsql connection string to the <c>postgres</c> database as the <c>postgres</c> superuser.</summary>
    public string ConnectionString => new Npgsql.NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
    }.ConnectionString;

    /// <summary>Gets the same connection as a <c>postgres://</c> URL, for psql and other libpq tools.</summary>
    public string Url => $"postgres://postgres@127.0.0.1:{Port}/postgres";
}
