using System.Runtime.CompilerServices;

namespace PgKit.Templates.Tests;

/// <summary>
/// A fact that runs in CI (<c>CI=true</c>, as <c>.ci/run</c> is run) or when <c>PGKIT_NEW_USER_TEST=1</c>, and is
/// reported as skipped elsewhere: it packs the whole solution and restores a new app into an empty package cache,
/// minutes of work a developer's inner loop does not need.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CiFactAttribute : FactAttribute
{
    // xunit v3 records where each fact is declared through these caller-info arguments.
    public CiFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Environment.GetEnvironmentVariable("CI") != "true" && Environment.GetEnvironmentVariable("PGKIT_NEW_USER_TEST") != "1")
        {
            Skip = "Runs in CI (CI=true) or with PGKIT_NEW_USER_TEST=1.";
        }
    }
}
