using Microsoft.Extensions.Options;
using Npgsql;

namespace PgKit.AspNetCore.Hosting;

/// <summary>Checks a database's options when they are first read (at host start) and reports every problem at once.</summary>
internal sealed class PostgresOptionsValidator(IEnumerable<IConnectionStringFallback> fallbacks) : IValidateOptions<PostgresOptions>
{
    private static readonly TimeSpan MaxAcquireTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxShutdownTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxReadYourWritesWait = TimeSpan.FromSeconds(30);

    private readonly bool _hasFallback = fallbacks.Any(f => f.CanProvide);

    public ValidateOptionsResult Validate(string? name, PostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        name ??= PostgresOptions.DefaultName;
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (!_hasFallback)
            {
                failures.Add($"No connection string for PostgreSQL database '{name}': set 'ConnectionStrings:{name}' " +
                    $"(appsettings.json, or the environment variable ConnectionStrings__{name}) or PostgresOptions.ConnectionString.");
            }
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                // Npgsql's message names the keyword, never the value, so it is safe to repeat.
                failures.Add($"The connection string of PostgreSQL database '{name}' is invalid: {ex.Message}");
            }
        }

        if (options.AcquireTimeout <= TimeSpan.Zero || options.AcquireTimeout > MaxAcquireTimeout)
        {
            failures.Add($"PostgresOptions.AcquireTimeout of database '{name}' must be positive and at most {MaxAcquireTimeout}; it is {options.AcquireTimeout}.");
        }

        if (options.ShutdownTimeout <= TimeSpan.Zero || options.ShutdownTimeout > MaxShutdownTimeout)
        {
            failures.Add($"PostgresOptions.ShutdownTimeout of database '{name}' must be positive and at most {MaxShutdownTimeout}; it is {options.ShutdownTimeout}.");
        }

        if (options.ReadYourWritesWait < TimeSpan.Zero || options.ReadYourWritesWait > MaxReadYourWritesWait)
        {
            failures.Add($"PostgresOptions.ReadYourWritesWait of database '{name}' must be between zero and {MaxReadYourWritesWait}; it is {options.ReadYourWritesWait}.");
        }

        if (options.TransactionPooling && options.StartupMigrations.Count > 0 && string.IsNullOrWhiteSpace(options.MigrationConnectionString))
        {
            failures.Add($"MigrateOnStartup on PostgreSQL database '{name}' would run through a transaction-mode pool (PostgresOptions.TransactionPooling), " +
                "which cannot hold the migrations' session advisory lock: set PostgresOptions.MigrationConnectionString to a connection string that reaches PostgreSQL directly.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
