using System.ComponentModel.DataAnnotations;

namespace ReferenceApp.Features.Items;

/// <summary>The body of <c>POST /items</c> and of the full update <c>PUT /items/{id}</c>.</summary>
/// <param name="Name">The unique name, 1 to 64 characters, not only white space; a duplicate is a 409.</param>
/// <param name="Description">The description, at most 1,000 characters; absent or null means none.</param>
/// <param name="IsActive">Whether the item is active; true when absent (the column's default). An explicit null is a 422.</param>
public sealed record ItemIn(
    [property: StringLength(ItemRules.NameMaxLength, MinimumLength = 1)] string Name,
    [property: StringLength(ItemRules.DescriptionMaxLength)] string? Description = null,
    bool IsActive = true);
