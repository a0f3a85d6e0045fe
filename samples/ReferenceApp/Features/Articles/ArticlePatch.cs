using System.ComponentModel.DataAnnotations;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Articles;

/// <summary>The body of <c>PATCH /articles/{id}</c>: only the fields present change; none may be null.</summary>
/// <remarks>Properties rather than constructor parameters: every field is optional, and the JSON schema exporter cannot render a struct parameter's default.</remarks>
public sealed record ArticlePatch
{
    /// <summary>The id of the (existing) author to move the article to.</summary>
    public Optional<long> AuthorId { get; init; }

    /// <summary>The new title, 1 to 60 characters, not only white space.</summary>
    [StringLength(ArticleRules.TitleMaxLength, MinimumLength = 1)]
    public Optional<string> Title { get; init; }

    /// <summary>The new text, 0 to 20,000 characters.</summary>
    [StringLength(ArticleRules.ContentMaxLength)]
    public Optional<string> Content { get; init; }
}
