namespace PgKit.Embedded.Internal;

/// <summary>Where a seeded server's cluster goes: its folder (created, owned by the server account) and data folder (not yet there).</summary>
internal sealed record SeedTarget(PostgresBinaries Binaries, ServerAccount Account, string Folder, string DataDirectory);

/// <summary>
/// Makes an ephemeral server's cluster some other way than initdb (a standby's base backup), and the secrets it
/// then holds (the source's: a copy has the same roles). Prepare returns settings the server adds to its own.
/// </summary>
internal sealed record ServerSeed(Func<SeedTarget, CancellationToken, Task<IReadOnlyList<KeyValuePair<string, string>>>> Prepare, ClusterSecrets Secrets);
