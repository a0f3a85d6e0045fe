using Microsoft.AspNetCore.Http.HttpResults;
using PgKit;
using PgKit.AspNetCore;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Authors;

/// <summary>
/// <c>/authors</c>. The handlers take the request's <see cref="Db"/> (reads) or <see cref="Atomic"/> (writes, committed
/// before the response) as parameters: that is how a route group in its own file reaches the app's one pool, with no
/// global and no reference to the app object.
/// </summary>
public static class AuthorEndpoints
{
    // Stateless and thread-safe: one per table. Its NotFoundException reads "Author 42 does not exist".
    private static readonly Table<Author, long> Authors = new("author");

    /// <summary>Maps the author endpoints under <c>/authors</c>.</summary>
    /// <param name="routes">The app or a parent group.</param>
    /// <returns>The <c>/authors</c> group, for further conventions.</returns>
    public static RouteGroupBuilder MapAuthors(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var group = routes.MapGroup("/authors").WithTags("Authors");

        group.MapGet("", ListAsync).WithName("ListAuthors")
            .WithSummary("List authors")
            .WithDescription("Ordered by id; `limit` (1 to 100, default 20) rows per page. When more rows follow, the `Link` header holds the next page's URL (`cursor` = the last id of this page).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", GetAsync).WithName("GetAuthor")
            .WithSummary("Get an author")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("", CreateAsync).WithName("CreateAuthor")
            .WithSummary("Create an author")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPatch("/{id}", PatchAsync).WithName("PatchAuthor")
            .WithSummary("Change some of an author's fields")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteAuthor")
            .WithSummary("Delete an author and, by the foreign key's ON DELETE CASCADE, the author's articles")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<Results<PageResult<Author>, ProblemHttpResult>> ListAsync(
        Db db, [AsParameters] PageParameters paging, CancellationToken cancellationToken)
    {
        var validator = new Validator();
        var page = PageQuery.From(paging, validator);
        if (validator.Problem is { } problem)
        {
            return problem;
        }

        return await db.PageAsync<Author>(Authors.Name, page, a => a.Id, null, null, cancellationToken);
    }

    private static async Task<Ok<Author>> GetAsync(long id, Db db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await Authors.GetOrThrowAsync(db, id, cancellationToken));

    private static async Task<Results<Created<Author>, ProblemHttpResult>> CreateAsync(AuthorIn input, Atomic db, CancellationToken cancellationToken)
    {
        if (AuthorRules.Check(input) is { } problem)
        {
            return problem;
        }

        var author = await Authors.InsertAsync(db, input, cancellationToken);
        return TypedResults.Created($"/authors/{author.Id}", author);
    }

    private static async Task<Results<Ok<Author>, ProblemHttpResult>> PatchAsync(long id, AuthorPatch patch, Atomic db, CancellationToken cancellationToken)
    {
        if (AuthorRules.Check(patch) is { } problem)
        {
            return problem;
        }

        var changes = new Dictionary<string, object?>(2);
        if (patch.FirstName.IsSet)
        {
            changes["first_name"] = patch.FirstName.Value;
        }

        if (patch.LastName.IsSet)
        {
            changes["last_name"] = patch.LastName.Value;
        }

        // An empty patch changes nothing, so updated_at stays as it was.
        var author = changes.Count == 0
            ? await Authors.GetAsync(db, id, cancellationToken)
            : await Authors.PatchAsync(db, id, changes, cancellationToken);
        return TypedResults.Ok(author ?? throw new NotFoundException(Authors.EntityName, id));
    }

    private static async Task<NoContent> DeleteAsync(long id, Atomic db, CancellationToken cancellationToken) =>
        await Authors.DeleteAsync(db, id, cancellationToken) > 0 ? TypedResults.NoContent() : throw new NotFoundException(Authors.EntityName, id);
}
