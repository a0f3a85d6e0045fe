using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace PgKit.LoadBenchmarks.Apps;

/// <summary>
/// Diagnostic, on when <c>PGKIT_BENCH_ALLOCATIONS=1</c>: samples the app's allocations by type from the runtime's own
/// events (GCAllocationTick, one event per ~100 KB allocated, naming the type that crossed the mark), and prints the
/// top types when the app stops. The sample does not depend on load, so it shows where a variant's bytes per request go;
/// the listener costs CPU, so the CPU and requests/s of such a run are not figures.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    public const string Variable = "PGKIT_BENCH_ALLOCATIONS";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    public static AllocationSampler? StartIfAsked() =>
        Environment.GetEnvironmentVariable(Variable) == "1" ? new AllocationSampler() : null;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var typeName = "?";
        long amount = 0;
        for (var i = 0; i < eventData.Payload.Count; i++)
        {
            switch (eventData.PayloadNames?[i])
            {
                case "TypeName": typeName = eventData.Payload[i] as string ?? "?"; break;
                case "AllocationAmount64": amount = Convert.ToInt64(eventData.Payload[i], CultureInfo.InvariantCulture); break;
                case "AllocationAmount" when amount == 0: amount = Convert.ToInt64(eventData.Payload[i], CultureInfo.InvariantCulture); break;
            }
        }

        _bytesByType.AddOrUpdate(typeName, amount, (_, total) => total + amount);
    }

    /// <summary>The top types by sampled bytes, one line each, with their share of all sampled bytes.</summary>
    public string Report(int top = 40)
    {
        var total = Math.Max(1, _bytesByType.Values.Sum());
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"allocation sample: {total / 1024.0 / 1024.0:0.0} MB sampled, top types by share\n"));
        foreach (var (type, bytes) in _bytesByType.OrderByDescending(p => p.Value).Take(top))
        {
            text.Append(string.Create(CultureInfo.InvariantCulture, $"  {100.0 * bytes / total,5:0.0}%  {type}\n"));
        }

        return text.ToString();
    }
}
