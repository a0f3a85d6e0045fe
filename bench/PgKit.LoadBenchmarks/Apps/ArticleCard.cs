namespace PgKit.LoadBenchmarks.Apps;

/// <summary>
/// The bench-only record of the mixed-shape work item: one type read in two shapes, as real apps read one record with
/// different column lists (a list page without the body, a detail with it). The two endpoints alternate, so a data layer
/// that caches one row plan per type and column list is measured switching between its plans.
/// </summary>
public sealed class ArticleCard
{
    /// <summary>The articles of an author, with their content.</summary>
    public const string FullSql = "SELECT id, author_id, title, content FROM article WHERE author_id = $1 ORDER BY id LIMIT 10";

    /// <summary>The same articles without the content: a shape of the same type with a column fewer.</summary>
    public const string BriefSql = "SELECT id, author_id, title FROM article WHERE author_id = $1 ORDER BY id LIMIT 10";

    public const string FullRoute = "/mixed/articles";

    public const string BriefRoute = "/mixed/titles";

    public long Id { get; set; }

    public long AuthorId { get; set; }

    public string Title { get; set; } = "";

    public string? Content { get; set; }

    /// <summary>The Dapper variant's SQL: named parameters.</summary>
    public static string Named(string sql) => sql.Replace("$1", "@authorId", StringComparison.Ordinal);
}
