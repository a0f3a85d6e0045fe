namespace PgKit.LoadBenchmarks.Checked;

/// <summary>The mixed-shape work item's row (the same properties, so the same JSON, as the benchmark's <c>ArticleCard</c>).</summary>
public sealed class CheckedArticleCard
{
    /// <summary>Gets or sets the article's id.</summary>
    public long Id { get; set; }

    /// <summary>Gets or sets the author's id.</summary>
    public long AuthorId { get; set; }

    /// <summary>Gets or sets the title.</summary>
    public string Title { get; set; } = "";

    /// <summary>Gets or sets the content; null in the brief shape, which does not select it.</summary>
    public string? Content { get; set; }
}
