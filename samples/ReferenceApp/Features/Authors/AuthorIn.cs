using System.ComponentModel.DataAnnotations;

namespace ReferenceApp.Features.Authors;

/// <summary>The body of <c>POST /authors</c>.</summary>
/// <param name="FirstName">The first name, 1 to 25 characters, not only white space.</param>
/// <param name="LastName">The last name, 1 to 25 characters, not only white space.</param>
public sealed record AuthorIn(
    [property: StringLength(AuthorRules.NameMaxLength, MinimumLength = 1)] string FirstName,
    [property: StringLength(AuthorRules.NameMaxLength, MinimumLength = 1)] string LastName);
