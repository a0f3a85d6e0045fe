using Microsoft.AspNetCore.Http.HttpResults;
using PgKit;
using PgKit.AspNetCore;

namespace ReferenceApp.Features.Coupons;

/// <summary><c>/v1/coupons</c>: create, read and redeem coupons; redemption is one atomic UPDATE.</summary>
public static class CouponEndpoints
{
    // Never below zero under any number of concurrent redeemers: each UPDATE re-checks remaining_count > 0 on the
    // row version it locks (READ COMMITTED re-evaluates the WHERE after waiting for a concurrent redeemer).
    private const string RedeemSql = "UPDATE coupon SET remaining_count = remaining_count - 1 WHERE id = $1 AND remaining_count > 0 RETURNING *";

    private static readonly Table<Coupon, Guid> Coupons = new("coupon");

    /// <summary>Maps the coupon endpoints under <c>/v1/coupons</c>.</summary>
    /// <param name="routes">The app or a parent group.</param>
    /// <returns>The <c>/v1/coupons</c> group, for further conventions.</returns>
    public static RouteGroupBuilder MapCoupons(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var group = routes.MapGroup("/v1/coupons").WithTags("Coupons");

        group.MapPost("", CreateAsync).WithName("CreateCoupon")
            .WithSummary("Create a coupon")
            .WithDescription("`remaining_count` starts at `init_count` unless given; a duplicate `code` is a 409.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", GetAsync).WithName("GetCoupon")
            .WithSummary("Get a coupon")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{id}/redeem", RedeemAsync).WithName("RedeemCoupon")
            .WithSummary("Redeem a coupon once")
            .WithDescription("Decrements `remaining_count` atomically and returns the coupon; 409 when none is left.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<Results<Created<Coupon>, ProblemHttpResult>> CreateAsync(CouponIn input, Atomic db, CancellationToken cancellationToken)
    {
        if (CouponRules.Check(input) is { } problem)
        {
            return problem;
        }

        // A duplicate code raises a unique violation (PostgresException 23505), which PgKit answers with a 409 (the seed's was a 500).
        var coupon = await Coupons.InsertAsync(
            db, new { input.Code, input.InitCount, RemainingCount = input.RemainingCount ?? input.InitCount }, cancellationToken);
        return TypedResults.Created($"/v1/coupons/{coupon.Id}", coupon);
    }

    private static async Task<Ok<Coupon>> GetAsync(Guid id, Db db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await Coupons.GetOrThrowAsync(db, id, cancellationToken));

    private static async Task<Results<Ok<Coupon>, ProblemHttpResult>> RedeemAsync(Guid id, Atomic db, CancellationToken cancellationToken)
    {
        if (await db.FetchRowAsync<Coupon>(RedeemSql, [id], cancellationToken) is { } coupon)
        {
            return TypedResults.Ok(coupon);
        }

        // Only on failure: a second statement tells a missing coupon (404) from an exhausted one (409).
        return await db.ExistsAsync(Coupons.Name, new { id }, cancellationToken)
            ? TypedResults.Problem(detail: $"Coupon {id} has no redemptions left", statusCode: StatusCodes.Status409Conflict)
            : throw new NotFoundException(Coupons.EntityName, id);
    }
}
