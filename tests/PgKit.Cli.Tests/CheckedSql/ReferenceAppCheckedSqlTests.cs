using System.Diagnostics;
using PgKit.Cli.Tests.Support;

namespace PgKit.Cli.Tests.CheckedSql;

/// <summary>
/// The end-to-end proof on the reference app: a copy with a column-name typo, a wrong parameter count and a mismatched record property fails <c>--check</c>, then,
/// once prepared, fails a real <c>dotnet build</c> with one diagnostic for each.
/// </summary>
public sealed class ReferenceAppCheckedSqlTests : IDisposable
{
    private static readonly string Root = FindRoot();

    private readonly string _copy = Path.Combine(Path.GetTempPath(), "pgkit-checked-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public async Task EachMistake_FailsCheck_AndTheBuild_WithItsDiagnostic()
    {
        var app = CopyReferenceApp();

        // 1. A typo in a column name of the app's real statement.
        var endpoints = Path.Combine(app, "Features", "Coupons", "CouponEndpoints.cs");
        File.WriteAllText(endpoints, File.ReadAllText(endpoints).Replace("AND remaining_count > 0", "AND remaning_count > 0", StringComparison.Ordinal));
        // 2. A wrong parameter count and 3. a record property no column fills.
        File.WriteAllText(Path.Combine(app, "Features", "Coupons", "Mistakes.cs"), """
            using PgKit;

            namespace ReferenceApp.Features.Coupons;

            internal sealed record CouponCode(Guid Id, string Kode);

            internal static class Mistakes
            {
                public static async Task RunAsync(IPgSession db, Guid id, CancellationToken cancellationToken)
                {
                    await db.FetchRowAsync<Coupon>("SELECT * FROM coupon WHERE id = $1 AND code = $2", [id], cancellationToken);
                    await db.FetchAsync<CouponCode>("SELECT id, code FROM coupon", null, cancellationToken);
                }
            }
            """);

        var stale = await Tool.RunAsync(app, "sql", "prepare", "--check");
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("pgkit-sql.json is stale: the code has 3 statement(s) not in it and it has 1 the code no longer uses", stale.Error, StringComparison.Ordinal);

        var prepared = await Tool.RunAsync(app, "sql", "prepare");
        Assert.True(prepared.ExitCode == 0, prepared.ToString());
        Assert.Contains("Wrote pgkit-sql.json: 3 statement(s) found in 3 call(s), 1 rejected by PostgreSQL", prepared.Output, StringComparison.Ordinal);

        var build = await BuildAsync(app);
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("CouponEndpoints.cs(60,", Line(build.Output, "error PGK1001"), StringComparison.Ordinal);
        Assert.Contains("column \"remaning_count\" does not exist", Line(build.Output, "error PGK1001"), StringComparison.Ordinal);
        Assert.Contains("Mistakes.cs(11,", Line(build.Output, "error PGK1002"), StringComparison.Ordinal);
        Assert.Contains("uses 2 parameter(s) ($1..$2) but 1 argument(s) are given", Line(build.Output, "error PGK1002"), StringComparison.Ordinal);
        Assert.Contains("Mistakes.cs(12,", Line(build.Output, "error PGK1004"), StringComparison.Ordinal);
        Assert.Contains("No column 'kode' fills CouponCode.Kode", Line(build.Output, "error PGK1004"), StringComparison.Ordinal);
    }

    private static string Line(string output, string marker) =>
        output.Split('\n').FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal)) ?? $"(no line with '{marker}' in the build output:\n{output})";

    // The app outside the repository, with its imports pointed back at it: the same build settings and package versions.
    private string CopyReferenceApp()
    {
        var source = Path.Combine(Root, "samples", "ReferenceApp");
        var app = Path.Combine(_copy, "ReferenceApp");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj" or ".pgkit")
            {
                continue;
            }

            var target = Path.Combine(app, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var project = Path.Combine(app, "ReferenceApp.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("../../src/", Path.Combine(Root, "src") + "/", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_copy, "Directory.Build.props"), $"<Project><Import Project=\"{Path.Combine(Root, "samples", "Directory.Build.props")}\" /></Project>");
        File.WriteAllText(Path.Combine(_copy, "Directory.Packages.props"), $"<Project><Import Project=\"{Path.Combine(Root, "Directory.Packages.props")}\" /></Project>");
        File.Copy(Path.Combine(Root, "global.json"), Path.Combine(_copy, "global.json"));
        return app;
    }

    private static async Task<(int ExitCode, string Output)> BuildAsync(string app)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = app };
        foreach (var argument in new[] { "build", "-nologo", "-v", "q", "-clp:NoSummary" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string FindRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "PgKit.slnx")))
        {
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("PgKit.slnx not found above the test folder.");
        }

        return folder;
    }
}
