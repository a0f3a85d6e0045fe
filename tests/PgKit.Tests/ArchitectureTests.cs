using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PgKit.Tests;

/// <summary>
/// The package graph of docs/architecture.md, checked against the project files: the table there is the one place
/// the allowed references are written down.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Packages() => [.. DocumentedGraph().Keys];

    [Theory]
    [MemberData(nameof(Packages))]
    public void ProjectReferences_AreTheDocumentedOnes(string package)
    {
        var (references, aspNetCore) = DocumentedGraph()[package];
        var project = Project(package);

        var actual = project.Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var usesAspNetCore = project.Descendants("FrameworkReference").Any(r => r.Attribute("Include")?.Value == "Microsoft.AspNetCore.App");

        Assert.Equal(references.Order(StringComparer.Ordinal), actual);
        Assert.Equal(aspNetCore, usesAspNetCore);
        Assert.Equal(package.EndsWith("AspNetCore", StringComparison.Ordinal), usesAspNetCore);
    }

    [Fact]
    public void EveryShippedProject_IsInTheDocumentedGraph()
    {
        var projects = Directory.GetDirectories(Path.Combine(Root, "src"))
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal);

        Assert.Equal(DocumentedGraph().Keys.Order(StringComparer.Ordinal), projects);
    }

    [Fact]
    public void NoShippedPackage_SeesAnotherPackagesInternals()
    {
        var grants = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.*", SearchOption.AllDirectories)
                     .Where(f => (f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal))
                         && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match match in InternalsVisibleTo().Matches(File.ReadAllText(file)))
            {
                grants.Add($"{Path.GetRelativePath(Root, file)}: {match.Groups["name"].Value}");
            }
        }

        // The one grant allowed: src/Directory.Build.props gives each package's own test project its internals.
        Assert.Equal(["src/Directory.Build.props: $(AssemblyName).Tests"], grants);
    }

    private static XDocument Project(string package) =>
        XDocument.Load(Path.Combine(Root, "src", package, package + ".csproj"));

    private static Dictionary<string, (string[] References, bool AspNetCore)> DocumentedGraph()
    {
        var text = File.ReadAllText(Path.Combine(Root, "docs", "architecture.md"));
        var start = text.IndexOf("<!-- architecture-table: begin -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- architecture-table: end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/architecture.md lost its marked package table");

        var graph = new Dictionary<string, (string[], bool)>(StringComparer.Ordinal);
        foreach (var line in text[start..end].Split('\n').Where(l => l.StartsWith("| PgKit", StringComparison.Ordinal)))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            var references = cells[2].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            graph.Add(cells[1], (references, cells[3] == "yes"));
        }

        return graph;
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PgKit.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (PgKit.slnx) is not above the test's output folder.");
    }

    [GeneratedRegex("""InternalsVisibleTo(?:\("|\s+Include=")(?<name>[^"]+)""")]
    private static partial Regex InternalsVisibleTo();
}
