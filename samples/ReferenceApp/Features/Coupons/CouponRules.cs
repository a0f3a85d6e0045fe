using Microsoft.AspNetCore.Http.HttpResults;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Coupons;

/// <summary>The coupon rules, with the numbers of the table's CHECK constraints (Migrations/0004_create_coupon.sql).</summary>
/// <remarks>The data annotations on the bodies only show these limits in the OpenAPI document; this class enforces them.</remarks>
internal static class CouponRules
{
    public const int CodeMaxLength = 64;

    public static ProblemHttpResult? Check(CouponIn input) => new Validator()
        .Text("code", input.Code, CodeMaxLength)
        .Require(input.InitCount > 0, "init_count", "init_count must be greater than 0.")
        .Require(input.RemainingCount is null || (input.RemainingCount >= 0 && input.RemainingCount <= input.InitCount),
            "remaining_count", "remaining_count must be between 0 and init_count.")
        .Problem;
}
