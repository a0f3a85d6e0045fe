using Npgsql;

namespace PgKit.Mapping;

/// <summary>One mapped property: its column, its type and compiled accessors, so the hot path never reflects.</summary>
internal sealed class MemberColumn
{
    public required string Column { get; init; }

    public required string MemberName { get; init; }

    public required Type Type { get; init; }

    public required Func<object, object?> Getter { get; init; }

    /// <summary>
    /// Gets the parameter for this property's value compared with or assigned to its column (the second argument is the
    /// argument name for errors). Plain numbers, booleans and GUIDs become typed parameters, so they are never boxed.
    /// </summary>
    public required Func<object, string, NpgsqlParameter> Parameter { get; init; }

    /// <summary>Gets whether the value is NULL without boxing it; <see langword="null"/> for value types that cannot be.</summary>
    public Func<object, bool>? IsNull { get; init; }

    public bool IsKey { get; init; }

    // Identity and computed columns ([DatabaseGenerated]) are read but never written.
    public bool IsGenerated { get; init; }
}
