namespace PgKit.LoadBenchmarks.Apps;

// The authors, articles and coupons are the reference app's own public records (ReferenceApp.Features.*): every variant
// reads them, writes them and serializes them with the reference app's JSON options, so only the data layer differs.

/// <summary>A row of the bench-only <c>fortunes</c> table (12 rows).</summary>
public sealed class Fortune
{
    public int Id { get; set; }

    public string Message { get; set; } = "";
}
