namespace PgKit.Embedded.AspNetCore;

/// <summary>Where the embedded default may start (set by <c>UseEmbeddedServerInDevelopment</c> or <c>UseEmbeddedServerInEveryEnvironment</c>).</summary>
internal sealed class EmbeddedServerOptions
{
    /// <summary>Gets or sets whether the app asked, in so many words, for the embedded server outside Development.</summary>
    public bool AllowOutsideDevelopment { get; set; }
}
