using PgKit.Sql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

/// <summary>
/// Leaving a stream early (break, a cancelled token, an error) stops the statement on the server instead of reading
/// the rest of its rows, and leaves the connection ready for the next query. Each query takes its rows from a
/// sequence, so the sequence tells how many rows the server produced: a full drain would have taken all of them.
/// </summary>
public sealed class StreamEarlyExitTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    // Seconds of work to drain: the statement can only have stopped early if it was cancelled.
    private const long Rows = 50_000_000;

    [Fact]
    public async Task Break_after_one_row_cancels_the_statement_and_the_connection_stays_usable()
    {
        var sequence = await CreateSequenceAsync();
        await using var connection = await db.OpenAsync();
        long first = 0;
        await foreach (var n in connection.FetchStreamAsync<long>(Produce(sequence), [Rows]))
        {
            first = n;
            break;
        }

        Assert.Equal(1, first);
        Assert.Equal(42, await connection.FetchValueAsync<int>("SELECT 42"));
        Assert.True(await ProducedAsync(connection, sequence) < Rows / 2, "the server produced every row: the statement was drained, not cancelled");
        Assert.Equal("idle", await BackendStateAsync(connection.ProcessID));
    }

    [Fact]
    public async Task A_token_cancelled_mid_enumeration_throws_cancels_the_statement_and_the_connection_stays_usable()
    {
        var sequence = await CreateSequenceAsync();
        await using var connection = await db.OpenAsync();
        using var cancellation = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var n in connection.FetchStreamAsync<long>(Produce(sequence), [Rows]).WithCancellation(cancellation.Token))
            {
                if (++seen == 2)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        Assert.Equal(2, seen);
        Assert.Equal(42, await connection.FetchValueAsync<int>("SELECT 42"));
        Assert.True(await ProducedAsync(connection, sequence) < Rows / 2, "the server produced every row: the statement was drained, not cancelled");
    }

    [Fact]
    public async Task Stream_left_early_on_a_closed_connection_cancels_and_closes_it_again()
    {
        var sequence = await CreateSequenceAsync();
        await using var connection = db.DataSource.CreateConnection();
        await foreach (var n in connection.FetchStreamAsync<long>(Produce(sequence), [Rows]))
        {
            break;
        }

        Assert.Equal(System.Data.ConnectionState.Closed, connection.State);
        await using var other = await db.OpenAsync();
        Assert.True(await ProducedAsync(other, sequence) < Rows / 2, "the server produced every row: the statement was drained, not cancelled");
    }

    [Fact]
    public async Task Break_inside_a_transaction_keeps_the_transaction_usable()
    {
        // Cancelling a statement would abort the transaction around it: inside one, the rest is read instead.
        await using var connection = await db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await foreach (var n in connection.FetchStreamAsync<long>("SELECT g FROM generate_series(1, 100000) g"))
        {
            break;
        }

        Assert.Equal(42, await connection.FetchValueAsync<int>("SELECT 42"));
        await transaction.CommitAsync();
    }

    [Fact]
    public async Task Npgsql_tells_whether_a_connection_is_in_a_transaction()
    {
        // Pins the internal member the early exit relies on: an Npgsql upgrade that renames it fails here, not silently.
        await using var connection = await db.OpenAsync();
        Assert.False(NpgsqlInternals.InTransaction(connection));
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            Assert.True(NpgsqlInternals.InTransaction(connection));
            await connection.ExecuteSqlAsync("SELECT 1");
            Assert.True(NpgsqlInternals.InTransaction(connection));
        }

        Assert.False(NpgsqlInternals.InTransaction(connection));
        await connection.ExecuteSqlAsync("BEGIN");
        Assert.True(NpgsqlInternals.InTransaction(connection));
        await connection.ExecuteSqlAsync("COMMIT");
        Assert.False(NpgsqlInternals.InTransaction(connection));
    }

    private async Task<string> CreateSequenceAsync()
    {
        var name = "s" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = await db.OpenAsync();
        await connection.ExecuteSqlAsync($"CREATE SEQUENCE {name}");
        return name;
    }

    // generate_series in a select list streams its rows (in FROM it would first store all of them), and the outer
    // nextval counts each row the server actually produced.
    private static string Produce(string sequence)
        => $"SELECT nextval('{sequence}') FROM (SELECT generate_series(1, $1::bigint) AS g) series";

    private static Task<long> ProducedAsync(Npgsql.NpgsqlConnection connection, string sequence)
        => connection.FetchValueAsync<long>($"SELECT last_value FROM {sequence}");

    private async Task<string?> BackendStateAsync(int pid)
    {
        await using var other = await db.OpenAsync();
        return await other.FetchValueAsync<string>("SELECT state FROM pg_stat_activity WHERE pid = $1", [pid]);
    }
}
