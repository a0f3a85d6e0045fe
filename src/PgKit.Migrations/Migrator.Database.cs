using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace PgKit.Migrations;

public sealed partial class Migrator
{
    private async Task<List<HistoryRow>?> ReadHistoryAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection) { Parameters = { new() { Value = _settings.Table.ToString() } } };
        await using (exists.ConfigureAwait(false))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return null;
            }
        }

        var select = new NpgsqlCommand($"SELECT version, name, checksum, applied_at, duration_ms, applied_by FROM {_settings.Table.ToString()} ORDER BY version", connection);
        await using (select.ConfigureAwait(false))
        {
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var rows = new List<HistoryRow>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(new HistoryRow(
                        reader.GetInt64(0),
                        reader.GetString(1),
                        reader.GetString(2),
                        reader.GetFieldValue<DateTimeOffset>(3),
                        reader.GetInt64(4),
                        reader.GetString(5)));
                }

                return rows;
            }
        }
    }

    private Task EnsureHistoryTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            $"""
            CREATE TABLE IF NOT EXISTS {_settings.Table.ToString()} (
                version bigint PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                duration_ms bigint NOT NULL,
                applied_by text NOT NULL
            )
            """,
            cancellationToken);

    private async Task AcquireLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var waitMs = (long)_settings.LockWaitTimeout.TotalMilliseconds;

        // lock_timeout bounds the wait of pg_advisory_lock: the waiter wakes the moment the holder lets go, with no polling.
        await ExecuteAsync(connection, "SELECT set_config('lock_timeout', $1, false)", cancellationToken, waitMs.ToString(CultureInfo.InvariantCulture) + "ms").ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_lock($1)", cancellationToken, _settings.LockKey).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw new MigrationException(
                MigrationErrorKind.LockTimeout,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Gave up waiting for the migration lock on database '{connection.Database}' after {_settings.LockWaitTimeout.TotalSeconds:0.###} s (MigrationOptions.LockWaitTimeout, pgkit --lock-wait): another migrator is still running, or a stuck session holds advisory lock {_settings.LockKey}; find it with SELECT pid, state, query FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')."),
                e);
        }
        finally
        {
            await ExecuteAsync(connection, "RESET lock_timeout", CancellationToken.None).ConfigureAwait(false);
        }

        MigrationLog.LockAcquired(_logger, (long)Elapsed(started).TotalMilliseconds);
    }

    private async Task ReleaseLockAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return; // A broken connection has released its session locks already.
        }

        try
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock($1)", CancellationToken.None, _settings.LockKey).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // Closing the dedicated connection (unpooled) releases the lock anyway.
        }
    }

    // Runs the up or down part of one migration and records it; returns the time its SQL took.
    private async Task<TimeSpan> RunAsync(NpgsqlConnection connection, Migration migration, bool down, CancellationToken cancellationToken)
    {
        try
        {
            return await RunCoreAsync(connection, migration, down, cancellationToken).ConfigureAwait(false);
        }
        catch (MigrationException e) when (e.Kind == MigrationErrorKind.Failed)
        {
            MigrationLog.Failed(_logger, e, migration.FileName, e.Line ?? 0, (e.InnerException as PostgresException)?.MessageText ?? e.Message);
            throw;
        }
    }

    private async Task<TimeSpan> RunCoreAsync(NpgsqlConnection connection, Migration migration, bool down, CancellationToken cancellationToken)
    {
        if (migration.IsTransactional)
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await SetTimeoutsAsync(connection, "SET LOCAL", cancellationToken).ConfigureAwait(false);
                var elapsed = await RunStatementsAsync(connection, migration, down, cancellationToken).ConfigureAwait(false);
                await RecordAsync(connection, migration, down, elapsed, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return elapsed;
            }
        }

        await SetTimeoutsAsync(connection, "SET", cancellationToken).ConfigureAwait(false);
        TimeSpan took;
        try
        {
            took = await RunStatementsAsync(connection, migration, down, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, "RESET lock_timeout; RESET statement_timeout", CancellationToken.None).ConfigureAwait(false);
            }
        }

        await RecordAsync(connection, migration, down, took, cancellationToken).ConfigureAwait(false);
        return took;
    }

    private async Task SetTimeoutsAsync(NpgsqlConnection connection, string set, CancellationToken cancellationToken)
    {
        if (_settings.LockTimeout is { } lockTimeout)
        {
            await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"{set} lock_timeout = '{(long)lockTimeout.TotalMilliseconds}ms'"), cancellationToken).ConfigureAwait(false);
        }

        if (_settings.StatementTimeout is { } statementTimeout)
        {
            await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"{set} statement_timeout = '{(long)statementTimeout.TotalMilliseconds}ms'"), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<TimeSpan> RunStatementsAsync(NpgsqlConnection connection, Migration migration, bool down, CancellationToken cancellationToken)
    {
        var sql = down ? migration.DownSql! : migration.UpSql;
        var started = Stopwatch.GetTimestamp();
        foreach (var statement in down ? migration.DownStatements : migration.UpStatements)
        {
            // One statement per command, sent exactly as written, so the server's error position maps to a line of the file.
            var command = new NpgsqlCommand(sql.Substring(statement.Start, statement.Length), connection) { CommandTimeout = 0 };
            await using (command.ConfigureAwait(false))
            {
                try
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e)
                {
                    var offset = e.Position > 0 ? statement.Start + e.Position - 1 : statement.FirstSignificant;
                    var line = migration.LineOf(down, offset);
                    var part = down ? " (down part)" : string.Empty;
                    var outcome = migration.IsTransactional
                        ? "it was rolled back, so nothing of it was applied"
                        : "it runs without a transaction, so the statements above that line stay applied";
                    throw new MigrationException(
                        MigrationErrorKind.Failed,
                        string.Create(CultureInfo.InvariantCulture, $"Migration {migration.FileName}{part} failed at line {line}: {e.MessageText} (SQLSTATE {e.SqlState}); {outcome}."),
                        e)
                    {
                        FileName = migration.FileName,
                        Line = line,
                    };
                }
            }
        }

        return Elapsed(started);
    }

    private Task RecordAsync(NpgsqlConnection connection, Migration migration, bool down, TimeSpan elapsed, CancellationToken cancellationToken) =>
        down
            ? ExecuteAsync(connection, $"DELETE FROM {_settings.Table.ToString()} WHERE version = $1", cancellationToken, migration.Version)
            : ExecuteAsync(
                connection,
                $"INSERT INTO {_settings.Table.ToString()} (version, name, checksum, duration_ms, applied_by) VALUES ($1, $2, $3, $4, $5)",
                cancellationToken,
                migration.Version,
                migration.Name,
                migration.Checksum,
                (long)elapsed.TotalMilliseconds,
                _settings.AppliedBy);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static Analysis Analyze(IReadOnlyList<Migration> migrations, List<HistoryRow>? history)
    {
        var applied = (history ?? []).ToDictionary(r => r.Version);
        long? head = applied.Count == 0 ? null : applied.Keys.Max();
        var entries = new List<MigrationStatusEntry>();
        var pending = new List<Migration>();
        var changed = new List<Migration>();
        var outOfOrder = new List<Migration>();
        foreach (var m in migrations)
        {
            if (applied.TryGetValue(m.Version, out var row))
            {
                var same = string.Equals(row.Checksum, m.Checksum, StringComparison.Ordinal);
                if (!same)
                {
                    changed.Add(m);
                }

                entries.Add(new MigrationStatusEntry(m.Version, m.Name, same ? MigrationState.Applied : MigrationState.Changed, row.AppliedAt, TimeSpan.FromMilliseconds(row.DurationMs), row.AppliedBy));
            }
            else
            {
                var late = head is { } h && m.Version < h;
                if (late)
                {
                    outOfOrder.Add(m);
                }

                pending.Add(m);
                entries.Add(new MigrationStatusEntry(m.Version, m.Name, late ? MigrationState.OutOfOrder : MigrationState.Pending, null, null, null));
            }
        }

        var known = migrations.Select(m => m.Version).ToHashSet();
        var missing = applied.Values.Where(r => !known.Contains(r.Version)).OrderBy(r => r.Version).ToList();
        entries.AddRange(missing.Select(r => new MigrationStatusEntry(r.Version, r.Name, MigrationState.Missing, r.AppliedAt, TimeSpan.FromMilliseconds(r.DurationMs), r.AppliedBy)));
        entries.Sort((a, b) => a.Version.CompareTo(b.Version));
        return new Analysis(entries, pending, changed, missing, outOfOrder, head);
    }

    // Refuses to go on when the history and the files disagree; every problem is in one message.
    private void EnsureConsistent(Analysis analysis, bool checkOrder)
    {
        var problems = new List<string>();
        MigrationErrorKind? kind = null;
        if (analysis.Changed.Count > 0)
        {
            kind ??= MigrationErrorKind.ChecksumMismatch;
            var names = string.Join(", ", analysis.Changed.Select(m => m.FileName));
            problems.Add($"the applied migration(s) {names} changed since they were applied (checksum differs); restore the file(s), or run repair (pgkit migrate repair, Migrator.RepairAsync) to accept the change");
        }

        if (analysis.Missing.Count > 0)
        {
            kind ??= MigrationErrorKind.MissingMigration;
            var names = string.Join(", ", analysis.Missing.Select(r => Format(r.Version) + "_" + r.Name));
            problems.Add($"the applied version(s) {names} have no file in {_settings.Source.Description}; restore the file(s), or run repair to forget them");
        }

        if (checkOrder && !_settings.AllowOutOfOrder && analysis.OutOfOrder.Count > 0)
        {
            kind ??= MigrationErrorKind.OutOfOrder;
            var names = string.Join(", ", analysis.OutOfOrder.Select(m => m.FileName));
            problems.Add($"the new migration(s) {names} are numbered below the newest applied version {Format(analysis.Head!.Value)}; renumber them above it, or allow it (MigrationOptions.AllowOutOfOrder, pgkit --allow-out-of-order)");
        }

        if (kind is { } k)
        {
            var message = string.Join("; ", problems);
            throw new MigrationException(k, char.ToUpperInvariant(message[0]) + message[1..] + ".");
        }
    }

    private sealed record HistoryRow(long Version, string Name, string Checksum, DateTimeOffset AppliedAt, long DurationMs, string AppliedBy);

    private sealed record Analysis(
        IReadOnlyList<MigrationStatusEntry> Entries,
        IReadOnlyList<Migration> Pending,
        IReadOnlyList<Migration> Changed,
        IReadOnlyList<HistoryRow> Missing,
        IReadOnlyList<Migration> OutOfOrder,
        long? Head);
}
