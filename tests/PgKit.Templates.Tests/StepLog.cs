using Xunit.Sdk;
using Xunit.v3;

namespace PgKit.Templates.Tests;

/// <summary>Writes each step's wall time to the run's output as a diagnostic message, so CI logs show it for a passing test too.</summary>
public sealed class StepLog(IMessageSink diagnostics)
{
    public void Write(string line) => diagnostics.OnMessage(new DiagnosticMessage(line));
}
