namespace PgKit;

/// <summary>
/// Thrown when a row that the caller asked for by key does not exist, for example by
/// <c>Table&lt;TRow, TKey&gt;.GetOrThrowAsync</c>. PgKit.AspNetCore turns it into a 404 ProblemDetails.
/// </summary>
/// <remarks>The message reads "<c>{Entity} {Key} does not exist</c>", the wording API clients of the seed apps already know.</remarks>
public sealed class NotFoundException : Exception
{
    /// <summary>Creates the exception for one entity and key.</summary>
    /// <param name="entity">The entity's display name, for example <c>Author</c>.</param>
    /// <param name="key">The key that was looked up; rendered with its invariant string form.</param>
    public NotFoundException(string entity, object? key)
        : base($"{entity} {Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture)} does not exist")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        Entity = entity;
        Key = key;
    }

    /// <summary>Gets the entity's display name, for example <c>Author</c>.</summary>
    public string Entity { get; }

    /// <summary>Gets the key that was looked up.</summary>
    public object? Key { get; }
}
