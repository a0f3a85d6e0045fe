namespace PgKit.AspNetCore.Embedded;

/// <summary>Whether the embedded default may start outside the Development environment (set by <c>UseEmbeddedServer</c>).</summary>
internal sealed class EmbeddedServerOptions
{
    public bool Enabled { get; set; }
}
