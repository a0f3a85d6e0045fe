namespace PgKit.AspNetCore.Transactions;

/// <summary>Marks an endpoint builder that already has the PgKit filter factory, so it is added once.</summary>
internal sealed class PgEndpointFilterMarker
{
    public static readonly PgEndpointFilterMarker Instance = new();

    private PgEndpointFilterMarker()
    {
    }
}
