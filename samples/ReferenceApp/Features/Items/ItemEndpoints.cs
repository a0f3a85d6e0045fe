using Microsoft.AspNetCore.Http.HttpResults;
using PgKit;
using PgKit.AspNetCore;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Items;

/// <summary><c>/items</c>: the fpas seed's CRUD, with 201 on create, 204 on delete and 409 on a duplicate name.</summary>
public static class ItemEndpoints
{
    private static readonly Table<Item, long> Items = new("item");

    /// <summary>Maps the item endpoints under <c>/items</c>.</summary>
    /// <param name="routes">The app or a parent group.</param>
    /// <returns>The <c>/items</c> group, for further conventions.</returns>
    public static RouteGroupBuilder MapItems(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var group = routes.MapGroup("/items").WithTags("Items");

        // Reads opt in to a standby when the connection string names one (read-your-writes keeps a client's own writes
        // visible); with one host nothing changes.
        group.MapGet("", ListAsync).WithName("ListItems").ReadFromStandby()
            .WithSummary("List items")
            .WithDescription("Ordered by id; `limit` (1 to 100, default 20) rows per page. When more rows follow, the `Link` header holds the next page's URL (`cursor` = the last id of this page).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", GetAsync).WithName("GetItem").ReadFromStandby()
            .WithSummary("Get an item")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("", CreateAsync).WithName("CreateItem")
            .WithSummary("Create an item")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{id}", ReplaceAsync).WithName("ReplaceItem")
            .WithSummary("Replace an item (full update: absent fields take their defaults)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPatch("/{id}", PatchAsync).WithName("PatchItem")
            .WithSummary("Change some of an item's fields")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteItem")
            .WithSummary("Delete an item")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<Results<PageResult<Item>, ProblemHttpResult>> ListAsync(
        Db db, [AsParameters] PageParameters paging, CancellationToken cancellationToken)
    {
        var validator = new Validator();
        var page = PageQuery.From(paging, validator);
        if (validator.Problem is { } problem)
        {
            return problem;
        }

        return await db.PageAsync<Item>(Items.Name, page, i => i.Id, null, null, cancellationToken);
    }

    private static async Task<Ok<Item>> GetAsync(long id, Db db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await Items.GetOrThrowAsync(db, id, cancellationToken));

    private static async Task<Results<Created<Item>, ProblemHttpResult>> CreateAsync(ItemIn input, Atomic db, CancellationToken cancellationToken)
    {
        if (ItemRules.Check(input) is { } problem)
        {
            return problem;
        }

        // A duplicate name raises a unique violation (PostgresException 23505): PgKit answers 409 (the seed said 400 for any integrity error).
        var item = await Items.InsertAsync(db, input, cancellationToken);
        return TypedResults.Created($"/items/{item.Id}", item);
    }

    private static async Task<Results<Ok<Item>, ProblemHttpResult>> ReplaceAsync(long id, ItemIn input, Atomic db, CancellationToken cancellationToken)
    {
        if (ItemRules.Check(input) is { } problem)
        {
            return problem;
        }

        // Full update: every writable column, so a field left out takes its default (the seed's PUT patched instead).
        var changes = new Dictionary<string, object?>(3)
        {
            ["name"] = input.Name,
            ["description"] = input.Description,
            ["is_active"] = input.IsActive,
        };
        return TypedResults.Ok(await Items.PatchAsync(db, id, changes, cancellationToken) ?? throw new NotFoundException(Items.EntityName, id));
    }

    private static async Task<Results<Ok<Item>, ProblemHttpResult>> PatchAsync(long id, ItemPatch patch, Atomic db, CancellationToken cancellationToken)
    {
        if (ItemRules.Check(patch) is { } problem)
        {
            return problem;
        }

        var changes = new Dictionary<string, object?>(3);
        if (patch.Name.IsSet)
        {
            changes["name"] = patch.Name.Value;
        }

        if (patch.Description.IsSet)
        {
            changes["description"] = patch.Description.Value;
        }

        if (patch.IsActive.IsSet)
        {
            changes["is_active"] = patch.IsActive.Value;
        }

        var item = changes.Count == 0
            ? await Items.GetAsync(db, id, cancellationToken)
            : await Items.PatchAsync(db, id, changes, cancellationToken);
        return TypedResults.Ok(item ?? throw new NotFoundException(Items.EntityName, id));
    }

    private static async Task<NoContent> DeleteAsync(long id, Atomic db, CancellationToken cancellationToken) =>
        await Items.DeleteAsync(db, id, cancellationToken) > 0 ? TypedResults.NoContent() : throw new NotFoundException(Items.EntityName, id);
}
