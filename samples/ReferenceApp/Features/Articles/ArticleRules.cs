using Microsoft.AspNetCore.Http.HttpResults;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Articles;

/// <summary>
/// The article rules, with the numbers of the table's CHECK constraints (Migrations/0002_create_article.sql for the
/// title, 0006_bound_text_lengths.sql for the content).
/// </summary>
/// <remarks>The data annotations on the bodies only show these limits in the OpenAPI document; this class enforces them.</remarks>
internal static class ArticleRules
{
    public const int TitleMaxLength = 60;

    /// <summary>
    /// The longest content, in characters (a long blog post is 10,000 to 20,000). With <see cref="PageQuery.MaxLimit"/> rows
    /// per page, the largest list page is 100 x 20,000 characters: ~2 MB of ASCII, at most ~8 MB of UTF-8.
    /// </summary>
    public const int ContentMaxLength = 20_000;

    public static ProblemHttpResult? Check(ArticleIn input) => new Validator()
        .Text("title", input.Title, TitleMaxLength)
        .Require(input.Content is not null, "content", "content is required and must not be null.")
        .LongText("content", input.Content, ContentMaxLength)
        .Problem;

    public static ProblemHttpResult? Check(ArticlePatch patch) => new Validator()
        .NotNull("title", patch.Title)
        .OptionalText("title", patch.Title.Value, TitleMaxLength)
        .NotNull("content", patch.Content)
        .LongText("content", patch.Content.Value, ContentMaxLength)
        .Problem;
}
