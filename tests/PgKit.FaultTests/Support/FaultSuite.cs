using System.Collections.Concurrent;
using Xunit.Sdk;

namespace PgKit.FaultTests.Support;

/// <summary>
/// The fault cases run one after the other (each starts, kills or stops servers of its own and loads the two cores),
/// never beside each other; the suite prints one summary line on stdout when it ends.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultSuite : ICollectionFixture<FaultSummary>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "faults";
}

/// <summary>Collects each case's figures, and prints them, under the suite's summary line, when the suite ends.</summary>
public sealed class FaultSummary(IMessageSink diagnostics) : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>Records a case's figures and writes them to the test's output.</summary>
    /// <param name="output">The test's output.</param>
    /// <param name="testCase">The case's short name.</param>
    /// <param name="figures">Its figures, on one line.</param>
    public void Report(ITestOutputHelper output, string testCase, string figures)
    {
        var line = $"{testCase}: {figures}";
        output.WriteLine(line);
        _lines.Enqueue(line);
    }

    /// <summary>Prints the summary.</summary>
    public void Dispose()
    {
        // Diagnostic messages reach `dotnet test`'s own output (xunit.runner.json turns them on); stdout is for other runners.
        var lines = _lines.Select(line => "  " + line).Prepend($"faults: {_lines.Count} cases reported").ToArray();
        foreach (var line in lines)
        {
            Console.WriteLine(line);
            diagnostics.OnMessage(new Xunit.v3.DiagnosticMessage(line));
        }
    }
}
