using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using PgKit;
using PgKit.AspNetCore;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Articles;

/// <summary><c>/articles</c>: reads on <see cref="Db"/>, writes on <see cref="Atomic"/>, one SQL statement each.</summary>
public static class ArticleEndpoints
{
    private static readonly Table<Article, long> Articles = new("article");

    /// <summary>Maps the article endpoints under <c>/articles</c>.</summary>
    /// <param name="routes">The app or a parent group.</param>
    /// <returns>The <c>/articles</c> group, for further conventions.</returns>
    public static RouteGroupBuilder MapArticles(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var group = routes.MapGroup("/articles").WithTags("Articles");

        group.MapGet("", ListAsync).WithName("ListArticles")
            .WithSummary("List articles, optionally of one author")
            .WithDescription("Ordered by id; `limit` (1 to 100, default 20) rows per page. When more rows follow, the `Link` header holds the next page's URL (`cursor` = the last id of this page).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", GetAsync).WithName("GetArticle")
            .WithSummary("Get an article")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("", CreateAsync).WithName("CreateArticle")
            .WithSummary("Create an article")
            .WithDescription("An unknown `author_id` is a 404 \"Author {id} does not exist\".")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPatch("/{id}", PatchAsync).WithName("PatchArticle")
            .WithSummary("Change some of an article's fields")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteArticle")
            .WithSummary("Delete an article")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<Results<PageResult<Article>, ProblemHttpResult>> ListAsync(
        Db db, [FromQuery(Name = "author_id"), Description("Only the articles of this author.")] long? authorId, [AsParameters] PageParameters paging, CancellationToken cancellationToken)
    {
        var validator = new Validator();
        var page = PageQuery.From(paging, validator);
        if (validator.Problem is { } problem)
        {
            return problem;
        }

        return authorId is { } author
            ? await db.PageAsync<Article>(Articles.Name, page, a => a.Id, "author_id", author, cancellationToken)
            : await db.PageAsync<Article>(Articles.Name, page, a => a.Id, null, null, cancellationToken);
    }

    private static async Task<Ok<Article>> GetAsync(long id, Db db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await Articles.GetOrThrowAsync(db, id, cancellationToken));

    private static async Task<Results<Created<Article>, ProblemHttpResult>> CreateAsync(ArticleIn input, Atomic db, CancellationToken cancellationToken)
    {
        if (ArticleRules.Check(input) is { } problem)
        {
            return problem;
        }

        try
        {
            // One INSERT; the foreign key checks the author (no SELECT first, no race with a concurrent delete).
            var article = await Articles.InsertAsync(db, input, cancellationToken);
            return TypedResults.Created($"/articles/{article.Id}", article);
        }
        catch (PostgresException e) when (e.IsForeignKeyViolation())
        {
            // PgKit maps a foreign-key violation to 409; for a missing author the blog's contract is a 404.
            throw new NotFoundException("Author", input.AuthorId);
        }
    }

    private static async Task<Results<Ok<Article>, ProblemHttpResult>> PatchAsync(long id, ArticlePatch patch, Atomic db, CancellationToken cancellationToken)
    {
        if (ArticleRules.Check(patch) is { } problem)
        {
            return problem;
        }

        var changes = new Dictionary<string, object?>(3);
        if (patch.AuthorId.IsSet)
        {
            changes["author_id"] = patch.AuthorId.Value;
        }

        if (patch.Title.IsSet)
        {
            changes["title"] = patch.Title.Value;
        }

        if (patch.Content.IsSet)
        {
            changes["content"] = patch.Content.Value;
        }

        try
        {
            var article = changes.Count == 0
                ? await Articles.GetAsync(db, id, cancellationToken)
                : await Articles.PatchAsync(db, id, changes, cancellationToken);
            return TypedResults.Ok(article ?? throw new NotFoundException(Articles.EntityName, id));
        }
        catch (PostgresException e) when (e.IsForeignKeyViolation())
        {
            throw new NotFoundException("Author", patch.AuthorId.Value);
        }
    }

    private static async Task<NoContent> DeleteAsync(long id, Atomic db, CancellationToken cancellationToken) =>
        await Articles.DeleteAsync(db, id, cancellationToken) > 0 ? TypedResults.NoContent() : throw new NotFoundException(Articles.EntityName, id);
}
