using Microsoft.Extensions.Logging;

namespace PgKit.Embedded.Internal;

/// <summary>PgKit.Embedded's log messages, with stable event ids (3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Started PostgreSQL {Version} on 127.0.0.1:{Port} as OS user '{OsUser}' ({Origin}); data in {DataDirectory}")]
    public static partial void Started(ILogger logger, string version, int port, string osUser, ClusterOrigin origin, string dataDirectory);

    [LoggerMessage(3001, LogLevel.Information, "Attached to the PostgreSQL server already running on 127.0.0.1:{Port} for {DataDirectory}")]
    public static partial void Attached(ILogger logger, int port, string dataDirectory);

    [LoggerMessage(3002, LogLevel.Information, "Stopped PostgreSQL on 127.0.0.1:{Port}")]
    public static partial void Stopped(ILogger logger, int port);

    [LoggerMessage(3003, LogLevel.Warning, "Cleaned up an orphaned embedded PostgreSQL server in {Folder} (its owner process {ProcessId} is gone)")]
    public static partial void ReapedOrphan(ILogger logger, string folder, int processId);

    [LoggerMessage(3004, LogLevel.Warning, "Could not clean up the orphaned embedded PostgreSQL folder {Folder}")]
    public static partial void ReapFailed(ILogger logger, Exception exception, string folder);

    [LoggerMessage(3005, LogLevel.Information, "Adopted the PostgreSQL server for {DataDirectory}: the process that started it (pid {ProcessId}) is gone")]
    public static partial void Adopted(ILogger logger, string dataDirectory, int processId);

    [LoggerMessage(3006, LogLevel.Warning, "Port {Port} was taken while PostgreSQL started; trying another")]
    public static partial void PortTaken(ILogger logger, int port);

    [LoggerMessage(3007, LogLevel.Warning, "A fast stop of PostgreSQL on port {Port} failed; stopping it immediately")]
    public static partial void FastStopFailed(ILogger logger, int port);
}
