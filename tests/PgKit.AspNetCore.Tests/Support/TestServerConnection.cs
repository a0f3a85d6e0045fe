namespace PgKit.AspNetCore.Tests.Support;

/// <summary>The one place that knows where the PostgreSQL server for the tests is.</summary>
public static class TestServerConnection
{
    private static readonly Lazy<string> ServerConnection = new(ResolveServerConnectionString);

    /// <summary>Returns a superuser connection string to the test server's maintenance database.</summary>
    public static string GetServerConnectionString() => ServerConnection.Value;

    // The run's shared server: PGKIT_TEST_CONNECTION when set, else an embedded one (PgKit.Testing decides).
    private static string ResolveServerConnectionString() =>
        PgKit.Testing.TestPostgres.SharedAsync().GetAwaiter().GetResult().ConnectionString;
}
