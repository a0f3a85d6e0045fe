using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace ReferenceApp.Api;

/// <summary>The query parameters every list endpoint takes (bound with <c>[AsParameters]</c>).</summary>
/// <remarks>The <see cref="DescriptionAttribute"/> texts are what the OpenAPI document shows for each parameter.</remarks>
public sealed class PageParameters
{
    /// <summary>Gets the page size.</summary>
    [FromQuery(Name = "limit")]
    [Description("Rows per page, 1 to 100; 20 by default.")]
    public int? Limit { get; init; }

    /// <summary>Gets the id of the previous page's last row.</summary>
    [FromQuery(Name = "cursor")]
    [Description("The id of the previous page's last row; absent for the first page. A page with more rows after it has a `Link` header holding the next page's URL.")]
    public long? Cursor { get; init; }

    /// <summary>Gets the direction of the id order.</summary>
    [FromQuery(Name = "order")]
    [Description("`asc` (the default: oldest first) or `desc` (newest first).")]
    public string? Order { get; init; }
}
