using System.ComponentModel.DataAnnotations;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Authors;

/// <summary>The body of <c>PATCH /authors/{id}</c>: only the fields present change; neither may be null.</summary>
/// <remarks>Properties rather than constructor parameters: every field is optional, and the JSON schema exporter cannot render a struct parameter's default.</remarks>
public sealed record AuthorPatch
{
    /// <summary>The new first name, 1 to 25 characters, not only white space.</summary>
    [StringLength(AuthorRules.NameMaxLength, MinimumLength = 1)]
    public Optional<string> FirstName { get; init; }

    /// <summary>The new last name, 1 to 25 characters, not only white space.</summary>
    [StringLength(AuthorRules.NameMaxLength, MinimumLength = 1)]
    public Optional<string> LastName { get; init; }
}
