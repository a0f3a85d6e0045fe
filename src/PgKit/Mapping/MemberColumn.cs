namespace PgKit.Mapping;

/// <summary>One mapped property: its column, its type and a compiled getter, so the hot path never reflects.</summary>
internal sealed class MemberColumn
{
    public required string Column { get; init; }

    public required string MemberName { get; init; }

    public required Type Type { get; init; }

    public required Func<object, object?> Getter { get; init; }

    public bool IsKey { get; init; }

    // Identity and computed columns ([DatabaseGenerated]) are read but never written.
    public bool IsGenerated { get; init; }
}
