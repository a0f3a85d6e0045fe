using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PgKit.Migrations;

/// <summary>Options of a <see cref="Migrator"/>: where the migrations are, how long to wait, and what to allow.</summary>
/// <remarks>
/// The <see cref="Migrator"/> validates the options when it is created (every problem in one
/// <see cref="ArgumentException"/>) and copies them, so changing them afterwards has no effect.
/// </remarks>
public sealed class MigrationOptions
{
    /// <summary>The default history table, <c>pgkit_migrations</c>.</summary>
    public const string DefaultTableName = "pgkit_migrations";

    /// <summary>
    /// The default advisory-lock key, <c>0x70676B69746D6967</c> (the ASCII bytes of <c>pgkitmig</c>). Advisory locks
    /// are per database, so migrators of different databases never wait for each other.
    /// </summary>
    public const long DefaultLockKey = 0x70676B69746D6967;

    /// <summary>Gets or sets where the migrations are.</summary>
    /// <value>Required; there is no default. Use <see cref="MigrationSource.FromDirectory"/> or <see cref="MigrationSource.FromAssembly"/>.</value>
    public MigrationSource? Source { get; set; }

    /// <summary>Gets or sets how long a migrator waits for another one's lock before failing.</summary>
    /// <value>The default value is 5 minutes. Must be positive and at most 24 days.</value>
    /// <remarks>Only runs that have something to do wait: the pending check before the lock takes no lock.</remarks>
    public TimeSpan LockWaitTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets PostgreSQL's <c>lock_timeout</c> inside each migration (<c>SET LOCAL</c>), so a migration that waits for a busy table fails instead of blocking traffic behind it.</summary>
    /// <value>The default value is <see langword="null"/>: the server's setting.</value>
    public TimeSpan? LockTimeout { get; set; }

    /// <summary>Gets or sets PostgreSQL's <c>statement_timeout</c> inside each migration (<c>SET LOCAL</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the server's setting.</value>
    public TimeSpan? StatementTimeout { get; set; }

    /// <summary>Gets or sets whether a pending migration numbered below the newest applied one may be applied (when branches merge).</summary>
    /// <value>The default value is <see langword="false"/>: such a migration is refused.</value>
    public bool AllowOutOfOrder { get; set; }

    /// <summary>Gets or sets the history table, optionally schema-qualified (<c>"ops.migrations"</c>).</summary>
    /// <value>The default value is <c>pgkit_migrations</c>.</value>
    public TableName Table { get; set; } = DefaultTableName;

    /// <summary>Gets or sets the advisory-lock key every migrator of a database takes before changing anything.</summary>
    /// <value>The default value is <see cref="DefaultLockKey"/>.</value>
    public long LockKey { get; set; } = DefaultLockKey;

    /// <summary>Gets or sets what the history's <c>applied_by</c> column records.</summary>
    /// <value>The default value is <c>user@machine</c> of this process.</value>
    public string AppliedBy { get; set; } = Environment.UserName + "@" + Environment.MachineName;

    /// <summary>Gets or sets the logger; event ids are listed in <c>docs/migrations.md</c> and are stable.</summary>
    /// <value>The default value is <see langword="null"/>: no logging.</value>
    public ILogger? Logger { get; set; }

    /// <summary>Checks the options and copies them; every problem is reported in one message.</summary>
    internal MigrationSettings Freeze()
    {
        var problems = new List<string>();
        if (Source is null)
        {
            problems.Add("Source is required: set it to MigrationSource.FromDirectory(\"migrations\") or MigrationSource.FromAssembly(typeof(Program).Assembly, \"MyApp.Migrations.\")");
        }

        if (LockWaitTimeout <= TimeSpan.Zero || LockWaitTimeout.TotalMilliseconds > int.MaxValue)
        {
            problems.Add($"LockWaitTimeout must be positive and at most 24 days, not {LockWaitTimeout}");
        }

        if (LockTimeout is { } lt && (lt <= TimeSpan.Zero || lt.TotalMilliseconds > int.MaxValue))
        {
            problems.Add($"LockTimeout must be positive and at most 24 days, or null for the server's setting, not {lt}");
        }

        if (StatementTimeout is { } st && (st <= TimeSpan.Zero || st.TotalMilliseconds > int.MaxValue))
        {
            problems.Add($"StatementTimeout must be positive and at most 24 days, or null for the server's setting, not {st}");
        }

        if (Table is null)
        {
            problems.Add("Table is required (the default is pgkit_migrations)");
        }

        if (string.IsNullOrWhiteSpace(AppliedBy))
        {
            problems.Add("AppliedBy must not be empty");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The migration options are invalid: {string.Join("; ", problems)}."));
        }

        return new MigrationSettings(Source!, LockWaitTimeout, LockTimeout, StatementTimeout, AllowOutOfOrder, Table!, LockKey, AppliedBy, Logger);
    }
}
