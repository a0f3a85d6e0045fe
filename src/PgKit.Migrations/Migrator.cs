using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace PgKit.Migrations;

/// <summary>
/// Applies, rolls back and reports numbered SQL migrations, safely when many app instances or tool runs start at
/// once: a session-level advisory lock on a dedicated unpooled connection makes them take turns, and a lock-free
/// check first lets a fleet with nothing to do start without queueing. Given the app's data source, the lock-free
/// reads use a connection of its pool (which the app needs anyway), so an instance with nothing to apply opens no
/// connection of its own.
/// </summary>
/// <remarks>
/// <para>
/// Each migration runs in its own transaction with its history row, so a failure leaves neither a partial change
/// nor a row; the error names the file and line. Migrations marked <c>-- pgkit:no-transaction</c> run statement by
/// statement outside a transaction.
/// </para>
/// <para>
/// When a run changed the schema and a data source was given, its pool is cleared and its type cache reloaded, so
/// no connection keeps a statement plan or type mapping from before the change.
/// </para>
/// </remarks>
public sealed partial class Migrator
{
    private readonly MigrationSettings _settings;
    private readonly Func<NpgsqlConnection> _createConnection;
    private readonly NpgsqlDataSource? _dataSource;

    // The app's data source when the migrator was made from it: lock-free reads borrow one of its pooled connections.
    private readonly NpgsqlDataSource? _readPool;
    private readonly ILogger _logger;
    private IReadOnlyList<Migration>? _migrations;

    /// <summary>Creates a migrator for a connection string.</summary>
    /// <param name="connectionString">The database to migrate; the migrator opens its own unpooled connection.</param>
    /// <param name="options">The options; validated and copied.</param>
    /// <param name="dataSource">The app's data source, whose pool is reset after a change; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public Migrator(string connectionString, MigrationOptions options, NpgsqlDataSource? dataSource = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        _settings = options.Freeze();
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        _createConnection = () => new NpgsqlConnection(unpooled);
        _dataSource = dataSource;
        _logger = _settings.Logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Creates a migrator for an app's data source. Lock-free reads (the pending check, status, plan) use a pooled
    /// connection of <paramref name="dataSource"/>; changes run on an unpooled connection of its own with the same
    /// settings and password, since the advisory lock belongs to the session and must end with it.
    /// </summary>
    /// <param name="dataSource">The app's data source; its pool is reset after a change.</param>
    /// <param name="options">The options; validated and copied.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public Migrator(NpgsqlDataSource dataSource, MigrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        _settings = options.Freeze();
        var unpooled = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString) { Pooling = false }.ConnectionString;
        _createConnection = () =>
        {
            using var template = dataSource.CreateConnection();
            return template.CloneWith(unpooled);
        };
        _dataSource = dataSource;
        _readPool = dataSource;
        _logger = _settings.Logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the migrations of the source, ordered by version (read once, on first use).</summary>
    /// <exception cref="MigrationException">The source could not be read.</exception>
    public IReadOnlyList<Migration> Migrations => _migrations ??= _settings.Source.Load();

    /// <summary>
    /// Brings a database up to date the way an app does at startup: the lock-free pending check, then, only when
    /// something is pending, the locked run. Resets <paramref name="dataSource"/>'s pool when something was applied.
    /// </summary>
    /// <param name="dataSource">The app's data source.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels the run; a migration in progress is rolled back.</param>
    /// <returns>What was applied.</returns>
    /// <exception cref="MigrationException">A migration failed or was refused; the message says which and why.</exception>
    public static Task<MigrationRunResult> MigrateAsync(NpgsqlDataSource dataSource, MigrationOptions options, CancellationToken cancellationToken = default) =>
        new Migrator(dataSource, options).UpAsync(null, cancellationToken);

    /// <summary>Brings a database up to date as <see cref="MigrateAsync(NpgsqlDataSource, MigrationOptions, CancellationToken)"/> does, from a connection string.</summary>
    /// <param name="connectionString">The database to migrate.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels the run; a migration in progress is rolled back.</param>
    /// <returns>What was applied.</returns>
    /// <exception cref="MigrationException">A migration failed or was refused; the message says which and why.</exception>
    public static Task<MigrationRunResult> MigrateAsync(string connectionString, MigrationOptions options, CancellationToken cancellationToken = default) =>
        new Migrator(connectionString, options).UpAsync(null, cancellationToken);

    /// <summary>
    /// Tells whether any migration is waiting to be applied, without taking the lock (a missing history table counts
    /// as pending). Cheap enough to run at every start.
    /// </summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when at least one migration is not applied.</returns>
    /// <exception cref="MigrationException">The source could not be read.</exception>
    public async Task<bool> HasPendingAsync(CancellationToken cancellationToken = default)
    {
        var migrations = Migrations;
        var connection = await OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var history = await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false);
            return Analyze(migrations, history).Pending.Count > 0;
        }
    }

    /// <summary>Reports every migration (from the files and from the history) and where it stands, without taking the lock.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The status.</returns>
    /// <exception cref="MigrationException">The source could not be read.</exception>
    public async Task<MigrationStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var migrations = Migrations;
        var connection = await OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var history = await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false);
            return new MigrationStatus(Analyze(migrations, history).Entries);
        }
    }

    /// <summary>Computes what <see cref="UpAsync"/> would apply, with the SQL, and changes nothing (a dry run).</summary>
    /// <param name="to">The last version to apply; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="MigrationException">Up would be refused (a changed, missing or out-of-order migration), or the source could not be read.</exception>
    public async Task<MigrationPlan> PlanAsync(long? to = null, CancellationToken cancellationToken = default)
    {
        var migrations = Migrations;
        var connection = await OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var analysis = Analyze(migrations, await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false));
            EnsureConsistent(analysis, checkOrder: true);
            return new MigrationPlan([.. Select(analysis.Pending, to).Select(m => new PlannedMigration(m.Version, m.FileName, m.UpSql, m.IsTransactional))]);
        }
    }

    /// <summary>
    /// Applies the pending migrations in version order, each in its own transaction. Checks first without the lock
    /// and returns at once when nothing is pending; otherwise takes the lock, re-reads the history and applies what
    /// is still pending.
    /// </summary>
    /// <param name="to">The last version to apply; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the run; a migration in progress is rolled back.</param>
    /// <returns>The migrations applied, with durations.</returns>
    /// <exception cref="MigrationException">
    /// A migration failed (it was rolled back; earlier ones stay applied), the history disagrees with the files, or the
    /// lock was not free within <see cref="MigrationOptions.LockWaitTimeout"/>.
    /// </exception>
    public async Task<MigrationRunResult> UpAsync(long? to = null, CancellationToken cancellationToken = default)
    {
        var migrations = Migrations;
        if (_readPool is not null)
        {
            // In the app: check on a pooled connection, which goes back to the pool for the app's first request; only
            // when something is pending is a dedicated connection opened for the lock.
            var pooled = await _readPool.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (pooled.ConfigureAwait(false))
            {
                if (await CheckUpToDateAsync(pooled, migrations, to, cancellationToken).ConfigureAwait(false) is { } upToDate)
                {
                    return upToDate;
                }
            }
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (_readPool is null && await CheckUpToDateAsync(connection, migrations, to, cancellationToken).ConfigureAwait(false) is { } upToDate)
            {
                return upToDate;
            }

            return await ApplyLockedAsync(connection, migrations, to, cancellationToken).ConfigureAwait(false);
        }
    }

    // The lock-free check: the result when nothing is pending (after refusing a history that disagrees with the files), else null.
    private async Task<MigrationRunResult?> CheckUpToDateAsync(NpgsqlConnection connection, IReadOnlyList<Migration> migrations, long? to, CancellationToken cancellationToken)
    {
        var analysis = Analyze(migrations, await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false));
        EnsureConsistent(analysis, checkOrder: true);
        var pending = Select(analysis.Pending, to);
        if (pending.Count > 0)
        {
            MigrationLog.LockWaiting(_logger, pending.Count, _settings.LockKey, _settings.LockWaitTimeout.TotalSeconds);
            return null;
        }

        MigrationLog.UpToDate(_logger, analysis.Head);
        return new MigrationRunResult([], analysis.Head);
    }

    // Takes the lock on the dedicated connection, re-reads the history (another instance may have applied meanwhile) and applies what is still pending.
    private async Task<MigrationRunResult> ApplyLockedAsync(NpgsqlConnection connection, IReadOnlyList<Migration> migrations, long? to, CancellationToken cancellationToken)
    {
        var steps = new List<MigrationStep>();
        Analysis analysis;
        await AcquireLockAsync(connection, cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureHistoryTableAsync(connection, cancellationToken).ConfigureAwait(false);
            analysis = Analyze(migrations, await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false));
            EnsureConsistent(analysis, checkOrder: true);
            var pending = Select(analysis.Pending, to);
            if (pending.Count == 0)
            {
                MigrationLog.AppliedElsewhere(_logger);
            }

            foreach (var migration in pending)
            {
                if (analysis.Head is { } head && migration.Version < head)
                {
                    MigrationLog.OutOfOrder(_logger, migration.FileName, head);
                }

                var elapsed = await RunAsync(connection, migration, down: false, cancellationToken).ConfigureAwait(false);
                steps.Add(new MigrationStep(migration.Version, migration.Name, elapsed));
                MigrationLog.Applied(_logger, migration.FileName, (long)elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            await ReleaseLockAsync(connection).ConfigureAwait(false);
            if (steps.Count > 0)
            {
                await ResetPoolAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var newHead = steps.Count == 0 ? analysis.Head : Math.Max(analysis.Head ?? 0, steps.Max(s => s.Version));
        return new MigrationRunResult(steps, newHead);
    }

    /// <summary>Rolls back the newest applied migrations, newest first, each with its down part in its own transaction.</summary>
    /// <param name="steps">How many migrations to roll back.</param>
    /// <param name="cancellationToken">Cancels the run; a rollback in progress is itself rolled back.</param>
    /// <returns>The migrations rolled back, with durations.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is not positive.</exception>
    /// <exception cref="MigrationException">A migration to roll back has no down part, changed, is missing, or its down part failed.</exception>
    public Task<MigrationRunResult> DownAsync(int steps = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        return DownCoreAsync(applied => applied.Take(steps), cancellationToken);
    }

    /// <summary>Rolls back every applied migration above <paramref name="version"/>, newest first.</summary>
    /// <param name="version">The version to keep as the newest applied one; 0 rolls back everything.</param>
    /// <param name="cancellationToken">Cancels the run; a rollback in progress is itself rolled back.</param>
    /// <returns>The migrations rolled back, with durations.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is negative.</exception>
    /// <exception cref="MigrationException">A migration to roll back has no down part, changed, is missing, or its down part failed.</exception>
    public Task<MigrationRunResult> DownToAsync(long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return DownCoreAsync(applied => applied.TakeWhile(r => r.Version > version), cancellationToken);
    }

    /// <summary>
    /// Makes the history agree with the files, the explicit escape after an intended edit or removal: re-records the
    /// checksum (and name) of every changed migration and forgets every applied version whose file is gone. The
    /// schema itself is not touched.
    /// </summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What was changed in the history.</returns>
    /// <exception cref="MigrationException">The lock was not free in time, or the source could not be read.</exception>
    public async Task<MigrationRepairResult> RepairAsync(CancellationToken cancellationToken = default)
    {
        var migrations = Migrations;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false) is null)
            {
                return new MigrationRepairResult([], []);
            }

            await AcquireLockAsync(connection, cancellationToken).ConfigureAwait(false);
            try
            {
                var history = await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false);
                var files = migrations.ToDictionary(m => m.Version);
                var rechecksummed = new List<long>();
                var forgotten = new List<long>();
                foreach (var row in history!)
                {
                    if (!files.TryGetValue(row.Version, out var file))
                    {
                        await ExecuteAsync(connection, $"DELETE FROM {_settings.Table.ToString()} WHERE version = $1", cancellationToken, row.Version).ConfigureAwait(false);
                        forgotten.Add(row.Version);
                    }
                    else if (!string.Equals(file.Checksum, row.Checksum, StringComparison.Ordinal) || !string.Equals(file.Name, row.Name, StringComparison.Ordinal))
                    {
                        await ExecuteAsync(connection, $"UPDATE {_settings.Table.ToString()} SET checksum = $2, name = $3 WHERE version = $1", cancellationToken, row.Version, file.Checksum, file.Name).ConfigureAwait(false);
                        rechecksummed.Add(row.Version);
                    }
                }

                MigrationLog.Repaired(_logger, rechecksummed.Count, forgotten.Count);
                return new MigrationRepairResult(rechecksummed, forgotten);
            }
            finally
            {
                await ReleaseLockAsync(connection).ConfigureAwait(false);
            }
        }
    }

    private static List<Migration> Select(IReadOnlyList<Migration> pending, long? to) =>
        [.. pending.Where(m => to is null || m.Version <= to)];

    private async Task<MigrationRunResult> DownCoreAsync(Func<IEnumerable<HistoryRow>, IEnumerable<HistoryRow>> choose, CancellationToken cancellationToken)
    {
        var migrations = Migrations;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var history = await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false);
            if (history is null || history.Count == 0 || !choose(history.OrderByDescending(r => r.Version)).Any())
            {
                return new MigrationRunResult([], history?.Count > 0 ? history.Max(r => r.Version) : null);
            }

            var steps = new List<MigrationStep>();
            await AcquireLockAsync(connection, cancellationToken).ConfigureAwait(false);
            try
            {
                history = (await ReadHistoryAsync(connection, cancellationToken).ConfigureAwait(false))!;
                var files = migrations.ToDictionary(m => m.Version);
                var targets = choose(history.OrderByDescending(r => r.Version)).ToList();
                var plan = new List<Migration>();
                foreach (var row in targets)
                {
                    if (!files.TryGetValue(row.Version, out var file))
                    {
                        throw new MigrationException(
                            MigrationErrorKind.MissingMigration,
                            $"Cannot roll back version {Format(row.Version)} ({row.Name}): its file is not in {_settings.Source.Description}; restore the file first.");
                    }

                    if (!string.Equals(file.Checksum, row.Checksum, StringComparison.Ordinal))
                    {
                        throw new MigrationException(
                            MigrationErrorKind.ChecksumMismatch,
                            $"Cannot roll back {file.FileName}: it changed since it was applied, so its down part may not match what was applied; restore the file, or run repair (pgkit migrate repair) to accept the change.")
                        { FileName = file.FileName };
                    }

                    if (file.DownSql is null)
                    {
                        throw new MigrationException(
                            MigrationErrorKind.NoDownPart,
                            $"Cannot roll back {file.FileName}: it has no down part; add a '{Migration.DownMarker}' line followed by the SQL that undoes it.")
                        { FileName = file.FileName };
                    }

                    plan.Add(file);
                }

                foreach (var migration in plan)
                {
                    var elapsed = await RunAsync(connection, migration, down: true, cancellationToken).ConfigureAwait(false);
                    steps.Add(new MigrationStep(migration.Version, migration.Name, elapsed));
                    MigrationLog.RolledBack(_logger, migration.FileName, (long)elapsed.TotalMilliseconds);
                }

                var remaining = history.Select(r => r.Version).Except(steps.Select(s => s.Version)).ToList();
                return new MigrationRunResult(steps, remaining.Count == 0 ? null : remaining.Max());
            }
            finally
            {
                await ReleaseLockAsync(connection).ConfigureAwait(false);
                if (steps.Count > 0)
                {
                    await ResetPoolAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _createConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Lock-free reads: a pooled connection of the app's data source when there is one, else a dedicated one.
    private async Task<NpgsqlConnection> OpenForReadAsync(CancellationToken cancellationToken) =>
        _readPool is null ? await OpenAsync(cancellationToken).ConfigureAwait(false) : await _readPool.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private async Task ResetPoolAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is null)
        {
            return;
        }

        // Connections opened before the change may hold prepared statements and type mappings of the old schema.
        _dataSource.Clear();
        await _dataSource.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
        MigrationLog.PoolCleared(_logger);
    }

    internal static string Format(long version) => version.ToString("D4", CultureInfo.InvariantCulture);

    private static TimeSpan Elapsed(long started) => Stopwatch.GetElapsedTime(started);
}
