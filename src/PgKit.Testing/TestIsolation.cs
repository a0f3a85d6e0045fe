namespace PgKit.Testing;

/// <summary>How the tests of one class are kept apart from each other and from other classes.</summary>
public enum TestIsolation
{
    /// <summary>
    /// The class gets its own database, cloned from the template; its tests share it and may commit freely. Classes run
    /// in parallel without seeing each other's rows. Use it for tests of concurrency, isolation levels and retries.
    /// </summary>
    DatabasePerClass,

    /// <summary>
    /// The class gets its own database and one connection to it; each test runs inside a transaction on that connection
    /// that is rolled back when the test ends, so every test starts from the template's state. The application's request
    /// transactions become savepoints, and requests take turns on the connection.
    /// </summary>
    RollbackPerTest,
}
