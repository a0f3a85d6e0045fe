using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ReferenceApp.Tests.Support;

/// <summary>The reference app served by Kestrel on a free loopback port, for a real browser.</summary>
public sealed class KestrelReferenceAppFactory : ReferenceAppFactory
{
    /// <summary>Creates the factory; the server starts when the fixture is initialized.</summary>
    public KestrelReferenceAppFactory() => UseKestrel(0);

    /// <summary>Gets the base address Kestrel listens on, for example <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
