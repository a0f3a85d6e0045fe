namespace PgKit.AspNetCore;

/// <summary>
/// Lets the endpoint's <see cref="Db"/> read from a standby, when the database's connection string names standbys
/// (several hosts). Without standbys it changes nothing. <see cref="Atomic"/> and atomic endpoints always run on the
/// primary, whatever this says. With read-your-writes on (<see cref="PostgresOptions.ReadYourWrites"/>), a client
/// that just committed waits, briefly, for the standby to have its write, or reads from the primary. The attribute form
/// of <see cref="Microsoft.AspNetCore.Builder.ReadFromStandbyEndpointConventionBuilderExtensions.ReadFromStandby{TBuilder}(TBuilder)"/>.
/// </summary>
/// <remarks>
/// A standby is read-only: a write there fails (SQLSTATE 25006, answered with 500). Mark only endpoints that read;
/// a standby may also be behind the primary for a client that has not written lately.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ReadFromStandbyAttribute : Attribute
{
    internal static readonly ReadFromStandbyAttribute Instance = new();
}
