using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>
/// Before any load: every variant must answer the work items (and their not-found / exhausted cases) with the same status
/// codes, content type and JSON as the raw baseline, ignoring only values that differ by nature (new ids, times, counters).
/// </summary>
internal static class Verifier
{
    private sealed record Probe(string WorkItem, HttpMethod Method, string Path, string? Body, HttpStatusCode Status, string[]? IgnoredKeys);

    public static async Task VerifyAsync(IReadOnlyList<VariantProcess> apps, NpgsqlDataSource admin, IReadOnlyList<WorkItem> items)
    {
        // An exhausted coupon, for the 409.
        var exhausted = BenchData.CouponId(BenchData.Coupons - 1);
        await using (var command = admin.CreateCommand("UPDATE coupon SET remaining_count = 0 WHERE id = $1"))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = exhausted });
            await command.ExecuteNonQueryAsync();
        }

        const string article = """{"author_id":9999,"title":"Verification","content":"Checked by the load benchmark."}""";
        Probe[] probes =
        [
            new("get-author", HttpMethod.Get, "/authors/42", null, HttpStatusCode.OK, []),
            new("get-author", HttpMethod.Get, "/authors/99999999", null, HttpStatusCode.NotFound, null),
            new("list-articles", HttpMethod.Get, "/articles?author_id=4242&limit=500", null, HttpStatusCode.UnprocessableEntity, null),
            new("list-articles", HttpMethod.Get, "/articles?author_id=4242&limit=20", null, HttpStatusCode.OK, []),
            new("create-article", HttpMethod.Post, "/articles", article, HttpStatusCode.Created, ["id", "created_at", "updated_at"]),
            new("create-article", HttpMethod.Post, "/articles", article.Replace("9999", "99999999", StringComparison.Ordinal), HttpStatusCode.NotFound, null),
            new("redeem-coupon", HttpMethod.Post, $"/v1/coupons/{BenchData.CouponId(BenchData.Coupons)}/redeem", null, HttpStatusCode.OK, ["remaining_count"]),
            new("redeem-coupon", HttpMethod.Post, $"/v1/coupons/{exhausted}/redeem", null, HttpStatusCode.Conflict, null),
            new("redeem-coupon", HttpMethod.Post, $"/v1/coupons/{Guid.Empty}/redeem", null, HttpStatusCode.NotFound, null),
            new("fortunes", HttpMethod.Get, "/fortunes", null, HttpStatusCode.OK, []),
            new("mixed-shape", HttpMethod.Get, "/mixed/articles?author_id=77", null, HttpStatusCode.OK, []),
            new("mixed-shape", HttpMethod.Get, "/mixed/titles?author_id=77", null, HttpStatusCode.OK, []),
            new("mixed-shape", HttpMethod.Get, "/mixed/titles?author_id=9999", null, HttpStatusCode.OK, []),
        ];

        var problems = new List<string>();
        foreach (var probe in probes.Where(p => items.Any(i => i.Key == p.WorkItem)))
        {
            string? expected = null;
            foreach (var app in apps.OrderBy(a => a.Variant == "raw" ? 0 : 1))
            {
                using var request = new HttpRequestMessage(probe.Method, probe.Path);
                if (probe.Body is not null)
                {
                    request.Content = new StringContent(probe.Body, Encoding.UTF8, "application/json");
                }

                using var response = await app.Control.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var what = $"{app.Variant}: {probe.Method} {probe.Path}";
                if (response.StatusCode != probe.Status)
                {
                    problems.Add($"{what} answered {(int)response.StatusCode}, expected {(int)probe.Status}: {Shorten(body)}");
                    continue;
                }

                if (probe.IgnoredKeys is null)
                {
                    continue;
                }

                if (response.Content.Headers.ContentType?.MediaType != "application/json")
                {
                    problems.Add($"{what} answered with content type {response.Content.Headers.ContentType}, expected application/json");
                    continue;
                }

                var canonical = Canonical(JsonNode.Parse(body), probe.IgnoredKeys);
                expected ??= canonical;
                if (canonical != expected)
                {
                    problems.Add($"{what} answered JSON unlike raw's:\n    raw:  {Shorten(expected)}\n    this: {Shorten(canonical)}");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                "The variants do not serve the same API (run with --no-verify to measure anyway):\n  " + string.Join("\n  ", problems));
        }
    }

    /// <summary>The JSON with object keys sorted and the ignored keys removed, at any depth.</summary>
    private static string Canonical(JsonNode? node, string[] ignoredKeys)
    {
        static JsonNode? Normalize(JsonNode? node, string[] ignored) => node switch
        {
            JsonObject o => new JsonObject(o.Where(p => !ignored.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => KeyValuePair.Create(p.Key, Normalize(p.Value, ignored)))),
            JsonArray a => new JsonArray([.. a.Select(e => Normalize(e, ignored))]),
            _ => node?.DeepClone(),
        };

        return Normalize(node, ignoredKeys)?.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) ?? "null";
    }

    private static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "...";
}
