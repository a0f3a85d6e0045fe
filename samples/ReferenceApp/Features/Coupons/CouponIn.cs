using System.ComponentModel.DataAnnotations;

namespace ReferenceApp.Features.Coupons;

/// <summary>The body of <c>POST /v1/coupons</c>, the coupons seed's <c>InCouponSchema</c>.</summary>
/// <param name="Code">The unique code, 1 to 64 characters, not only white space; a duplicate is a 409.</param>
/// <param name="InitCount">How many times the coupon can be redeemed; at least 1.</param>
/// <param name="RemainingCount">Redemptions left, 0 to <c>init_count</c>; <c>init_count</c> when absent or null (an explicit 0 is kept, unlike the seed).</param>
public sealed record CouponIn(
    [property: StringLength(CouponRules.CodeMaxLength, MinimumLength = 1)] string Code,
    [property: Range(1, int.MaxValue)] int InitCount,
    [property: Range(0, int.MaxValue)] int? RemainingCount = null);
