using BenchmarkDotNet.Running;
using PgKit.Benchmarks;
using PgKit.Embedded;

// Run with: dotnet run -c Release --project bench/PgKit.Benchmarks -- --filter '*'
// Without PGKIT_BENCH_CONNECTION, an embedded server is started for the run; BenchmarkDotNet's child processes
// inherit the variable, so every benchmark process talks to the same server.
PostgresServer? server = null;
if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PGKIT_BENCH_CONNECTION")))
{
    server = await PostgresServer.StartAsync();
    Environment.SetEnvironmentVariable("PGKIT_BENCH_CONNECTION", server.ConnectionString);
}

try
{
    BenchmarkSwitcher.FromAssembly(typeof(CrudBenchmarks).Assembly).Run(args);
    await BenchDatabase.DropAsync();
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}
