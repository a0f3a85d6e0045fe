using System.Runtime.CompilerServices;
using Npgsql;

namespace PgKit.Sql;

/// <summary>
/// What Npgsql knows but does not expose: whether a connection is inside a transaction block. Read through
/// <see cref="UnsafeAccessorAttribute"/> (no reflection per call); should a later Npgsql rename the members, the answer
/// is "unknown" and callers take the safe path.
/// </summary>
internal static class NpgsqlInternals
{
    private const string ConnectorType = "Npgsql.Internal.NpgsqlConnector, Npgsql";

    private static volatile bool unavailable;

    /// <summary>
    /// Whether <paramref name="connection"/> is in a transaction (begun with <c>BeginTransaction</c>, in SQL, or enlisted,
    /// including one still pending); <see langword="null"/> when Npgsql does not say.
    /// </summary>
    public static bool? InTransaction(NpgsqlConnection connection)
    {
        if (unavailable)
        {
            return null;
        }

        try
        {
            return GetConnector(connection) is { } connector ? GetInTransaction(connector) : null;
        }
        catch (Exception ex) when (ex is MissingMemberException or TypeLoadException)
        {
            unavailable = true;
            return null;
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_Connector")]
    [return: UnsafeAccessorType(ConnectorType)]
    private static extern object? GetConnector(NpgsqlConnection connection);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_InTransaction")]
    private static extern bool GetInTransaction([UnsafeAccessorType(ConnectorType)] object connector);
}
