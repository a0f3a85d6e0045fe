using System.ComponentModel.DataAnnotations;

namespace ReferenceApp.Features.Articles;

/// <summary>The body of <c>POST /articles</c>, the blog seed's <c>ArticleBase</c>.</summary>
/// <param name="AuthorId">The author's id; an unknown author is a 404.</param>
/// <param name="Title">The title, 1 to 60 characters, not only white space.</param>
/// <param name="Content">The text, 0 to 20,000 characters.</param>
public sealed record ArticleIn(
    long AuthorId,
    [property: StringLength(ArticleRules.TitleMaxLength, MinimumLength = 1)] string Title,
    [property: StringLength(ArticleRules.ContentMaxLength)] string Content);
