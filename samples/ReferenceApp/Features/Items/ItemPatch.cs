using System.ComponentModel.DataAnnotations;
using ReferenceApp.Api;

namespace ReferenceApp.Features.Items;

/// <summary>The body of <c>PATCH /items/{id}</c>: only the fields present change.</summary>
/// <remarks>Properties rather than constructor parameters: every field is optional, and the JSON schema exporter cannot render a struct parameter's default.</remarks>
public sealed record ItemPatch
{
    /// <summary>The new name, 1 to 64 characters, not only white space; not null.</summary>
    [StringLength(ItemRules.NameMaxLength, MinimumLength = 1)]
    public Optional<string> Name { get; init; }

    /// <summary>The new description, at most 1,000 characters; an explicit null clears it.</summary>
    [StringLength(ItemRules.DescriptionMaxLength)]
    public Optional<string?> Description { get; init; }

    /// <summary>Whether the item is active; not null.</summary>
    public Optional<bool> IsActive { get; init; }
}
