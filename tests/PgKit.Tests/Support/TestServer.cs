namespace PgKit.Tests.Support;

/// <summary>The one place that knows where the test PostgreSQL server is.</summary>
internal static class TestServer
{
    public const string EnvironmentVariable = "PGKIT_TEST_CONNECTION";

    private static readonly Lazy<string> AdminConnection = new(ResolveAdminConnectionString);

    /// <summary>A superuser connection string to the server's maintenance database (used to create and drop test databases).</summary>
    public static string AdminConnectionString => AdminConnection.Value;

    // The run's shared server: PGKIT_TEST_CONNECTION when set, else an embedded one (PgKit.Testing decides).
    private static string ResolveAdminConnectionString()
        => PgKit.Testing.TestPostgres.SharedAsync().GetAwaiter().GetResult().ConnectionString;
}
