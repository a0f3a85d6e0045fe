using Microsoft.AspNetCore.Http.HttpResults;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Articles;

/// <summary>The article rules, with the numbers of the table's CHECK constraints (Migrations/0002_create_article.sql).</summary>
/// <remarks>The data annotations on the bodies only show these limits in the OpenAPI document; this class enforces them.</remarks>
internal static class ArticleRules
{
    public const int TitleMaxLength = 60;

    public static ProblemHttpResult? Check(ArticleIn input) => new Validator()
        .Text("title", input.Title, TitleMaxLength)
        .Require(input.Content is not null, "content", "content is required and must not be null.")
        .Require(input.Content?.Contains('\0', StringComparison.Ordinal) != true, "content", "content must not contain the NUL character.")
        .Problem;

    public static ProblemHttpResult? Check(ArticlePatch patch) => new Validator()
        .NotNull("title", patch.Title)
        .OptionalText("title", patch.Title.Value, TitleMaxLength)
        .NotNull("content", patch.Content)
        .Require(patch.Content.Value?.Contains('\0', StringComparison.Ordinal) != true, "content", "content must not contain the NUL character.")
        .Problem;
}
