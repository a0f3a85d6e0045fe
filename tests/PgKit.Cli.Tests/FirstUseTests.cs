using PgKit.Cli.Tests.Support;

namespace PgKit.Cli.Tests;

/// <summary>What a new user's first use of the tool ran into: help, errors, colours, the migrations folder, the project folder.</summary>
public sealed class FirstUseTests : IDisposable
{
    private readonly string _folder = Tool.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Help_NamesTheCommandPgkit_NotTheAssembly()
    {
        var root = await Tool.RunProcessAsync(_folder, null, "--help");
        var migrate = await Tool.RunAsync(_folder, "migrate", "--help");

        Assert.Equal(0, root.ExitCode);
        Assert.Contains("Usage:\n  pgkit [command] [options]", root.Output.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("PgKit.Cli", root.Output);
        Assert.Equal(0, migrate.ExitCode);
        Assert.Contains("  pgkit migrate [command] [options]", migrate.Output);
    }
}
