using PgKit.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Marks endpoints and route groups as reading from a standby.</summary>
public static class ReadFromStandbyEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Lets the endpoint's (or every endpoint of the group's) <see cref="Db"/> read from a standby when the database has
    /// standbys; see <see cref="ReadFromStandbyAttribute"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoint convention builder.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static TBuilder ReadFromStandby<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(static endpoint => endpoint.Metadata.Add(ReadFromStandbyAttribute.Instance));
        return builder;
    }
}
