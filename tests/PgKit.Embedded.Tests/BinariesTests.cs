namespace PgKit.Embedded.Tests;

public sealed class BinariesTests
{
    [Fact]
    public async Task LocateAsync_FindsTheMachinesServerBinaries()
    {
        var binaries = await PostgresBinaries.LocateAsync();

        Assert.True(File.Exists(Path.Combine(binaries.Directory, "initdb")));
        Assert.True(File.Exists(Path.Combine(binaries.Directory, "pg_ctl")));
        Assert.True(binaries.MajorVersion >= 12);
        Assert.StartsWith(binaries.MajorVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), binaries.Version, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_WrongBinDirectory_FailsAtOnceNamingWhatWasSearchedAndHowToInstall()
    {
        var wrong = Path.Combine(Path.GetTempPath(), "no-postgres-here-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<PostgresBinariesNotFoundException>(
            () => PostgresServer.StartAsync(new PostgresServerOptions { BinDirectory = wrong }));

        Assert.Contains(wrong, error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
        Assert.Contains("brew install postgresql", error.Message, StringComparison.Ordinal);
        Assert.Contains("PGKIT_PG_BIN", error.Message, StringComparison.Ordinal);
        Assert.Single(error.Searched);
    }
}
