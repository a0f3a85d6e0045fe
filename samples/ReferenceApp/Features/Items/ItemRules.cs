using Microsoft.AspNetCore.Http.HttpResults;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Items;

/// <summary>The item rules, with the numbers of the table's CHECK constraints (Migrations/0005_create_item.sql).</summary>
/// <remarks>The data annotations on the bodies only show these limits in the OpenAPI document; this class enforces them.</remarks>
internal static class ItemRules
{
    public const int NameMaxLength = 64;

    public static ProblemHttpResult? Check(ItemIn input) => new Validator()
        .Text("name", input.Name, NameMaxLength)
        .Require(input.Description?.Contains('\0', StringComparison.Ordinal) != true, "description", "description must not contain the NUL character.")
        .Problem;

    public static ProblemHttpResult? Check(ItemPatch patch) => new Validator()
        .NotNull("name", patch.Name)
        .OptionalText("name", patch.Name.Value, NameMaxLength)
        .Require(patch.Description.Value?.Contains('\0', StringComparison.Ordinal) != true, "description", "description must not contain the NUL character.")
        .Problem;
}
