using Microsoft.AspNetCore.Http.HttpResults;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Authors;

/// <summary>The author rules, with the numbers of the table's CHECK constraints (Migrations/0001_create_author.sql).</summary>
/// <remarks>The data annotations on the bodies only show these limits in the OpenAPI document; this class enforces them.</remarks>
internal static class AuthorRules
{
    public const int NameMaxLength = 25;

    public static ProblemHttpResult? Check(AuthorIn input) => new Validator()
        .Text("first_name", input.FirstName, NameMaxLength)
        .Text("last_name", input.LastName, NameMaxLength)
        .Problem;

    public static ProblemHttpResult? Check(AuthorPatch patch) => new Validator()
        .NotNull("first_name", patch.FirstName)
        .OptionalText("first_name", patch.FirstName.Value, NameMaxLength)
        .NotNull("last_name", patch.LastName)
        .OptionalText("last_name", patch.LastName.Value, NameMaxLength)
        .Problem;
}
