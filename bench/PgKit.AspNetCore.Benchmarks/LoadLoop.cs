using System.Diagnostics;

namespace PgKit.AspNetCore.Benchmarks;

/// <summary>A fixed-concurrency, time-boxed HTTP load on loopback: each worker sends its next request when the last one is read.</summary>
internal sealed class LoadLoop(HttpClient client, int concurrency)
{
    public async Task<RunResult> RunAsync(HttpMethod method, string path, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(8192);
            var random = new Random(worker);
            while (Stopwatch.GetTimestamp() < stop)
            {
                var target = path.Replace("{id}", random.Next(1, 10_001).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                var begin = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(method, target);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                mine.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new RunResult([.. latencies.SelectMany(static l => l)], elapsed, errors);
    }
}

internal sealed record RunResult(double[] Latencies, TimeSpan Elapsed, int Errors)
{
    public double RequestsPerSecond => Latencies.Length / Elapsed.TotalSeconds;
}
