using System.Diagnostics;
using Npgsql;
using PgKit.Analyzers;
using PgKit.Cli.Tests.Support;
using PgKit.Migrations;

namespace PgKit.Cli.Tests.CheckedSql;

/// <summary>
/// The end-to-end proof on the reference app: a copy carrying a column-name typo, a wrong parameter count and a
/// mismatched record property fails a real <c>dotnet build</c> with one diagnostic for each, at its line; fixed, the copy
/// builds clean. One build of each, against the already-built src/ projects, restored from the local package folder.
/// </summary>
public sealed class ReferenceAppCheckedSqlTests : IDisposable
{
    private const string TypoedRedeemSql = "UPDATE coupon SET remaining_count = remaining_count - 1 WHERE id = $1 AND remaning_count > 0 RETURNING *";
    private const string TwoParameterSql = "SELECT * FROM coupon WHERE id = $1 AND code = $2";
    private const string CouponCodeSql = "SELECT id, code FROM coupon";

    private readonly string _copy = Path.Combine(Path.GetTempPath(), "pgkit-checked-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public async Task EachMistake_FailsTheBuild_WithItsDiagnosticAtItsLine_AndTheFixedCopyBuildsClean()
    {
        var app = ReferenceAppCopy.Make(_copy);
        var endpoints = Path.Combine(app, "Features", "Coupons", "CouponEndpoints.cs");
        var original = File.ReadAllText(endpoints);
        var sqlFile = Path.Combine(app, SqlFile.FileName);
        var committed = File.ReadAllText(sqlFile);

        // 1. A typo in a column name of the app's real statement; 2. a wrong parameter count; 3. a record property no column fills.
        File.WriteAllText(endpoints, original.Replace("AND remaining_count > 0", "AND remaning_count > 0", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(app, "Features", "Coupons", "Mistakes.cs"), $$"""
            using PgKit;

            namespace ReferenceApp.Features.Coupons;

            internal sealed record CouponCode(Guid Id, string Kode);

            internal static class Mistakes
            {
                public static async Task RunAsync(IPgSession db, Guid id, CancellationToken cancellationToken)
                {
                    await db.FetchRowAsync<Coupon>("{{TwoParameterSql}}", [id], cancellationToken);
                    await db.FetchAsync<CouponCode>("{{CouponCodeSql}}", null, cancellationToken);
                }
            }
            """);

        // What `pgkit sql prepare` would add for them, described by the same describer against the app's migrations.
        File.WriteAllText(sqlFile, await DescribeAsync(committed, (TypoedRedeemSql, "uuid"), (TwoParameterSql, "uuid"), (CouponCodeSql, null)));

        var broken = await ReferenceAppCopy.BuildAsync(app, restore: true);
        Assert.NotEqual(0, broken.ExitCode);
        var errors = broken.Lines.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(errors.Count == 3, "Expected exactly three errors:\n" + broken.Output);
        Assert.DoesNotContain(broken.Lines, l => l.Contains(": warning ", StringComparison.Ordinal));
        Assert.Contains("CouponEndpoints.cs(60,", Line(errors, "error PGK1001"), StringComparison.Ordinal);
        Assert.Contains("column \"remaning_count\" does not exist", Line(errors, "error PGK1001"), StringComparison.Ordinal);
        Assert.Contains("Mistakes.cs(11,", Line(errors, "error PGK1002"), StringComparison.Ordinal);
        Assert.Contains("uses 2 parameter(s) ($1..$2) but 1 argument(s) are given", Line(errors, "error PGK1002"), StringComparison.Ordinal);
        Assert.Contains("Mistakes.cs(12,", Line(errors, "error PGK1004"), StringComparison.Ordinal);
        Assert.Contains("No column 'kode' fills CouponCode.Kode", Line(errors, "error PGK1004"), StringComparison.Ordinal);

        // Fixed: the app's own code and file build clean, warnings being errors.
        File.WriteAllText(endpoints, original);
        File.Delete(Path.Combine(app, "Features", "Coupons", "Mistakes.cs"));
        File.WriteAllText(sqlFile, committed);
        var clean = await ReferenceAppCopy.BuildAsync(app, restore: false);
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.DoesNotContain(clean.Lines, l => l.Contains(": warning ", StringComparison.Ordinal));
    }

    private static string Line(IEnumerable<string> lines, string marker) =>
        lines.FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal)) ?? $"(no line with '{marker}')";

    // The committed file plus the statements' descriptions, from a scratch database with the reference app's migrations.
    private static async Task<string> DescribeAsync(string committed, params (string Sql, string? ArgumentTypes)[] statements)
    {
        var file = SqlFile.Parse(committed);
        await using var database = await ScratchDatabase.CreateAsync();
        var migrations = new MigrationOptions { Source = MigrationSource.FromDirectory(Path.Combine(ReferenceAppCopy.Root, "samples", "ReferenceApp", "Migrations")) };
        await new Migrator(database.ConnectionString, migrations).UpAsync(null, CancellationToken.None);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var describer = new StatementDescriber(connection);
        await describer.InitializeAsync(CancellationToken.None);
        foreach (var (sql, types) in statements)
        {
            file.Statements[SqlFile.KeyOf(sql)] = await describer.DescribeAsync(sql, types is null ? [] : [types], CancellationToken.None);
        }

        return SqlCommands.Write(file);
    }
}

/// <summary><c>pgkit sql prepare --check</c> on the reference app as committed: its file is up to date (CI fails otherwise).</summary>
public sealed class ReferenceAppPrepareCheckTests
{
    [Fact]
    public async Task PrepareCheck_PassesOnTheReferenceApp()
    {
        var check = await Tool.RunAsync(Path.Combine(ReferenceAppCopy.Root, "samples", "ReferenceApp"), "sql", "prepare", "--check");

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("pgkit-sql.json is up to date: 1 statement(s) found in 1 call(s)", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrepareCheck_FailsNamingWhy_WhenTheCodeChangedAStatement()
    {
        var copy = Path.Combine(Path.GetTempPath(), "pgkit-stale-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var app = ReferenceAppCopy.Make(copy);
            var endpoints = Path.Combine(app, "Features", "Coupons", "CouponEndpoints.cs");
            File.WriteAllText(endpoints, File.ReadAllText(endpoints).Replace("AND remaining_count > 0", "AND remaining_count >= 1", StringComparison.Ordinal));
            await ReferenceAppCopy.RestoreAsync(app);

            var check = await Tool.RunAsync(app, "sql", "prepare", "--check");

            Assert.True(check.ExitCode != 0, check.ToString());
            var said = check.Output + check.Error;
            Assert.Contains("pgkit-sql.json is stale: the code has 1 statement(s) not in it and it has 1 the code no longer uses", said, StringComparison.Ordinal);
            Assert.Contains("run 'pgkit sql prepare'", said, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}

/// <summary>A copy of the reference app outside the repository, and its build.</summary>
internal static class ReferenceAppCopy
{
    public static readonly string Root = FindRoot();

    // The configuration the tests (and so the src/ projects the copy references) were built in.
    private static readonly string Configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>Copies samples/ReferenceApp into <paramref name="folder"/>, its imports pointed back at the repository: the same build settings and package versions.</summary>
    public static string Make(string folder)
    {
        var source = Path.Combine(Root, "samples", "ReferenceApp");
        var app = Path.Combine(folder, "ReferenceApp");
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
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), $"<Project><Import Project=\"{Path.Combine(Root, "samples", "Directory.Build.props")}\" /></Project>");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), $"<Project><Import Project=\"{Path.Combine(Root, "Directory.Packages.props")}\" /></Project>");
        File.Copy(Path.Combine(Root, "global.json"), Path.Combine(folder, "global.json"));
        return app;
    }

    /// <summary>
    /// Builds the copy alone: the src/ projects it references are the ones the test run built (not rebuilt, not
    /// restored again), and the copy restores from the local package folder only, so nothing is downloaded.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string[] Lines)> BuildAsync(string app, bool restore)
    {
        if (restore)
        {
            await RestoreAsync(app);
        }

        // The .NET code-quality analyzers are off: the repository's own build of the app runs them; this proves checked SQL.
        var built = await DotnetAsync(
            app, "build", "--no-restore", "--no-dependencies", "-c", Configuration, "-p:EnableNETAnalyzers=false", "-nologo", "-v", "q", "-clp:NoSummary");
        return (built.ExitCode, built.Output, built.Output.Split('\n'));
    }

    /// <summary>Restores the copy from the local package folder only.</summary>
    public static async Task RestoreAsync(string app)
    {
        var restored = await DotnetAsync(app, "restore", "--no-dependencies", "--source", PackageFolder(), "-nologo", "-v", "q");
        Assert.True(restored.ExitCode == 0, restored.Output);
    }

    private static string PackageFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static async Task<(int ExitCode, string Output)> DotnetAsync(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var argument in arguments)
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
