using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace PgKit.FaultTests.Support;

/// <summary>One request's outcome: its status (null when it was cancelled or timed out) and how long it took.</summary>
/// <param name="Status">The status code, or null.</param>
/// <param name="Elapsed">From sending to the whole body read.</param>
/// <param name="Started">When it was sent (a <see cref="Stopwatch"/> timestamp).</param>
public readonly record struct Outcome(int? Status, TimeSpan Elapsed, long Started)
{
    /// <summary>Gets whether the status is 2xx.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>
/// Sends requests and counts what came back: statuses, and for every 503 whether it had <c>Retry-After</c> and which
/// cause its ProblemDetails names (the pool's own timeout, or PostgreSQL's SQLSTATE such as 53300).
/// </summary>
public sealed class Tally
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private long _maxTicks;
    private int _requests;
    private int _withoutRetryAfter;

    /// <summary>Gets how many requests were sent.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Gets the longest a request took.</summary>
    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    /// <summary>Gets the number of 503 answers without a <c>Retry-After</c> header.</summary>
    public int ServiceUnavailableWithoutRetryAfter => Volatile.Read(ref _withoutRetryAfter);

    /// <summary>Gets the number of answers with this status.</summary>
    /// <param name="status">The status code.</param>
    /// <returns>The count.</returns>
    public int Count(int status) => _counts.GetValueOrDefault(status.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Gets the number of outcomes recorded under a key: a status ("503"), a 503's cause ("503:pool", "503:53300"), "cancelled" or "timeout".</summary>
    /// <param name="key">The key.</param>
    /// <returns>The count.</returns>
    public int Count(string key) => _counts.GetValueOrDefault(key);

    /// <summary>Gets every status code seen.</summary>
    public IEnumerable<int> Statuses => _counts.Keys.Where(k => k.All(char.IsAsciiDigit)).Select(int.Parse);

    /// <summary>Sends one request and records its outcome. Cancellation by <paramref name="cancellationToken"/> is "cancelled", a client timeout "timeout".</summary>
    /// <param name="client">The client.</param>
    /// <param name="method">The method.</param>
    /// <param name="url">The path.</param>
    /// <param name="json">A JSON body, or null.</param>
    /// <param name="cancellationToken">Cancels the request (a client that goes away).</param>
    /// <returns>The outcome.</returns>
    public async Task<Outcome> SendAsync(HttpClient client, HttpMethod method, string url, string? json = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _requests);
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        try
        {
            using var request = new HttpRequestMessage(method, url);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            status = (int)response.StatusCode;
            Add(status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                if (response.Headers.RetryAfter is null)
                {
                    Interlocked.Increment(ref _withoutRetryAfter);
                }

                Add("503:" + Cause(body));
            }
            else if (status >= 500)
            {
                Add($"{status}:{Cause(body)}");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Add("cancelled");
        }
        catch (TaskCanceledException)
        {
            // HttpClient.Timeout elapsed: the app did not answer in time.
            Add("timeout");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var ticks = elapsed.Ticks;
        long seen;
        while (ticks > (seen = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, seen) != seen)
        {
        }

        return new Outcome(status, elapsed, started);
    }

    /// <summary>Describes the counts in one line, for example <c>requests=40 200=20 503=20 503:pool=20 slowest=2012ms</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() =>
        $"requests={Requests} " + string.Join(' ', _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")) +
        $" slowest={Slowest.TotalMilliseconds:0}ms";

    private void Add(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    // The pool's own 503 has no SQLSTATE; PostgreSQL's (53300 too many clients, 57P01 terminated...) names it.
    private static string Cause(string body)
    {
        try
        {
            var problem = JsonNode.Parse(body)?.AsObject();
            if (problem?["sql_state"] is { } sqlState)
            {
                return (string?)sqlState ?? "?";
            }

            var detail = (string?)problem?["detail"] ?? "";
            return detail.Contains("no connection became free", StringComparison.Ordinal) ? "pool"
                : detail.Contains("cannot be reached", StringComparison.Ordinal) ? "unreachable"
                : detail.StartsWith("Unhealthy", StringComparison.Ordinal) ? "unhealthy"
                : "other";
        }
        catch (System.Text.Json.JsonException)
        {
            return "not-json";
        }
    }
}
