using Microsoft.AspNetCore.Http.HttpResults;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Items;

/// <summary>
/// The item rules, with the numbers of the table's CHECK constraints (Migrations/0005_create_item.sql for the name,
/// 0006_bound_text_lengths.sql for the description).
/// </summary>
/// <remarks>The data annotations on the bodies only show these limits in the OpenAPI document; this class enforces them.</remarks>
internal static class ItemRules
{
    public const int NameMaxLength = 64;

    /// <summary>The longest description, in characters: a page of 100 items is then at most ~100 x 4 KB of UTF-8.</summary>
    public const int DescriptionMaxLength = 1_000;

    public static ProblemHttpResult? Check(ItemIn input) => new Validator()
        .Text("name", input.Name, NameMaxLength)
        .LongText("description", input.Description, DescriptionMaxLength)
        .Problem;

    public static ProblemHttpResult? Check(ItemPatch patch) => new Validator()
        .NotNull("name", patch.Name)
        .OptionalText("name", patch.Name.Value, NameMaxLength)
        .LongText("description", patch.Description.Value, DescriptionMaxLength)
        .Problem;
}
