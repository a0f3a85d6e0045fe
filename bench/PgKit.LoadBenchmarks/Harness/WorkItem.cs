using System.Globalization;
using System.Text;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>One work item: an HTTP endpoint and how the load client picks each request (as C# and as a wrk Lua function).</summary>
internal sealed class WorkItem
{
    private WorkItem(string key, string title, string route, bool singleRowRead, bool conflictCompletes, string luaRequest, Func<Random, HttpRequestMessage> newRequest, bool write = false)
    {
        Write = write;
        Key = key;
        Title = title;
        Route = route;
        SingleRowRead = singleRowRead;
        ConflictCompletes = conflictCompletes;
        LuaRequest = luaRequest;
        NewRequest = newRequest;
    }

    public string Key { get; }

    public string Title { get; }

    public string Route { get; }

    /// <summary>Gets a value indicating whether this is a single-row read (the goal "1.5x EF Core" applies).</summary>
    public bool SingleRowRead { get; }

    /// <summary>Gets a value indicating whether a 409 is a completed request (an exhausted coupon), counted apart from the 2xx.</summary>
    public bool ConflictCompletes { get; }

    /// <summary>Gets a value indicating whether the item writes in a transaction (the goal on tail latency at the default pool applies).</summary>
    public bool Write { get; }

    /// <summary>Gets the body of wrk's <c>request()</c> function.</summary>
    public string LuaRequest { get; }

    public Func<Random, HttpRequestMessage> NewRequest { get; }

    private const string ArticleTitle = "Load test article";
    private const string ArticleContent = "Written by the PgKit load benchmark.";

    public static readonly IReadOnlyList<WorkItem> All =
    [
        new("get-author", "Get an author by id", "GET /authors/{id}", singleRowRead: true, conflictCompletes: false,
            $"return wrk.format(\"GET\", \"/authors/\" .. math.random(1, {BenchData.Authors}))",
            r => new HttpRequestMessage(HttpMethod.Get, Invariant($"/authors/{r.Next(1, BenchData.Authors + 1)}"))),
        new("list-articles", "List 20 articles of an author", "GET /articles?author_id={id}&limit=20", singleRowRead: false, conflictCompletes: false,
            $"return wrk.format(\"GET\", \"/articles?author_id=\" .. math.random(1, {BenchData.ListedAuthors}) .. \"&limit=20\")",
            r => new HttpRequestMessage(HttpMethod.Get, Invariant($"/articles?author_id={r.Next(1, BenchData.ListedAuthors + 1)}&limit=20"))),
        new("create-article", "Create an article (transaction)", "POST /articles", singleRowRead: false, conflictCompletes: false,
            $"return wrk.format(\"POST\", \"/articles\", json_headers, '{{\"author_id\":' .. math.random({BenchData.ListedAuthors + 1}, {BenchData.Authors}) .. ',\"title\":\"{ArticleTitle}\",\"content\":\"{ArticleContent}\"}}')",
            r => new HttpRequestMessage(HttpMethod.Post, "/articles")
            {
                Content = new StringContent(Invariant($"{{\"author_id\":{r.Next(BenchData.ListedAuthors + 1, BenchData.Authors + 1)},\"title\":\"{ArticleTitle}\",\"content\":\"{ArticleContent}\"}}"), Encoding.UTF8, "application/json"),
            },
            write: true),
        new("redeem-coupon", $"Redeem a coupon (contended: {BenchData.HotCoupons} coupons)", "POST /v1/coupons/{id}/redeem", singleRowRead: false, conflictCompletes: true,
            $"return wrk.format(\"POST\", \"/v1/coupons/\" .. hot_coupons[math.random(1, {BenchData.HotCoupons})] .. \"/redeem\", empty_body_headers)",
            r => new HttpRequestMessage(HttpMethod.Post, Invariant($"/v1/coupons/{BenchData.CouponId(r.Next(1, BenchData.HotCoupons + 1))}/redeem")),
            write: true),
        new("fortunes", "Fortunes: 12 rows to JSON", "GET /fortunes", singleRowRead: false, conflictCompletes: false,
            "return wrk.format(\"GET\", \"/fortunes\")",
            _ => new HttpRequestMessage(HttpMethod.Get, "/fortunes")),
        new("mixed-shape", "One record type in two shapes: 10 articles with or without content", "GET /mixed/articles or /mixed/titles?author_id={id}", singleRowRead: false, conflictCompletes: false,
            $"local route = math.random(1, 2) == 1 and \"{Apps.ArticleCard.FullRoute}\" or \"{Apps.ArticleCard.BriefRoute}\"\n" +
            $"return wrk.format(\"GET\", route .. \"?author_id=\" .. math.random(1, {BenchData.ListedAuthors}))",
            r => new HttpRequestMessage(HttpMethod.Get, Invariant($"{(r.Next(2) == 0 ? Apps.ArticleCard.FullRoute : Apps.ArticleCard.BriefRoute)}?author_id={r.Next(1, BenchData.ListedAuthors + 1)}"))),
    ];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
