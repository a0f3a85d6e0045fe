using Npgsql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

/// <summary>The reflection-free seam: rows read by a hand-written <see cref="RowReader{T}"/>, as a generated one will.</summary>
public sealed class RowReaderTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private const string Books = "SELECT id, title FROM (VALUES (1, 'Dune'), (2, 'Emma'), (3, 'Ubik')) AS b(id, title) WHERE id >= $1 ORDER BY id";

    public sealed record Book(int Id, string Title);

    /// <summary>Reads by ordinal, counting its calls; checks the result's shape once per result, as a generated reader would.</summary>
    private sealed class BookReader : RowReader<Book>
    {
        private int checks;
        private int reads;

        public int Checks => Volatile.Read(ref checks);

        public int Reads => Volatile.Read(ref reads);

        public override void CheckColumns(NpgsqlDataReader reader)
        {
            Interlocked.Increment(ref checks);
            if (reader.FieldCount != 2 || reader.GetName(0) != "id" || reader.GetFieldType(1) != typeof(string))
            {
                throw new InvalidOperationException($"BookReader expects (id int, title text), not {reader.FieldCount} columns starting with {reader.GetName(0)}.");
            }
        }

        public override Book Read(NpgsqlDataReader reader)
        {
            Interlocked.Increment(ref reads);
            return new Book(reader.GetInt32(0), "read:" + reader.GetString(1));
        }
    }

    [Fact]
    public async Task FetchAsync_reads_every_row_with_the_reader_and_checks_the_columns_once()
    {
        var reader = new BookReader();
        await using var connection = await db.OpenAsync();

        var books = await connection.FetchAsync(Books, reader, [2]);

        Assert.Equal([new Book(2, "read:Emma"), new Book(3, "read:Ubik")], books);
        Assert.Equal(1, reader.Checks);
        Assert.Equal(2, reader.Reads);
    }

    [Fact]
    public async Task FetchRowAsync_reads_only_the_first_row_and_gives_default_for_none()
    {
        var reader = new BookReader();
        await using var connection = await db.OpenAsync();

        Assert.Equal(new Book(1, "read:Dune"), await connection.FetchRowAsync(Books, reader, [1]));
        Assert.Null(await connection.FetchRowAsync(Books, reader, [9]));
        Assert.Equal(1, reader.Reads);
        Assert.Equal(1, reader.Checks); // no row, no check
    }

    [Fact]
    public async Task FetchStreamAsync_streams_with_the_reader()
    {
        var reader = new BookReader();
        await using var connection = await db.OpenAsync();

        var titles = new List<string>();
        await foreach (var book in connection.FetchStreamAsync(Books, reader, [1]))
        {
            titles.Add(book.Title);
        }

        Assert.Equal(["read:Dune", "read:Emma", "read:Ubik"], titles);
        Assert.Equal(1, reader.Checks);
    }

    [Fact]
    public async Task A_session_forwards_the_reader_overloads_inside_its_transaction()
    {
        var reader = new BookReader();
        var table = await db.CreateTableAsync("id int PRIMARY KEY, title text NOT NULL");
        await using var connection = await db.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var session = new PgKit.Testing.TestSession(connection, async () => await transaction.RollbackAsync());

        await session.ExecuteSqlAsync($"INSERT INTO {table} VALUES (7, 'Kim')");
        var sql = $"SELECT id, title FROM {table} WHERE id = $1";

        Assert.Equal([new Book(7, "read:Kim")], await session.FetchAsync(sql, reader, [7]));
        Assert.Equal(new Book(7, "read:Kim"), await session.FetchRowAsync(sql, reader, [7]));
        await foreach (var book in session.FetchStreamAsync(sql, reader, [7]))
        {
            Assert.Equal(7, book.Id);
        }

        Assert.Equal(3, reader.Reads);
    }

    [Fact]
    public async Task A_shape_the_reader_refuses_fails_before_any_row_is_read()
    {
        var reader = new BookReader();
        await using var connection = await db.OpenAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.FetchAsync("SELECT 1 AS n", reader));

        Assert.Contains("expects (id int, title text)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, reader.Reads);
        Assert.Equal(1, await connection.FetchValueAsync<int>("SELECT 1")); // the connection is still usable
    }

    [Fact]
    public async Task A_registered_reader_serves_the_reflection_based_helpers_for_its_exact_sql()
    {
        var reader = new BookReader();
        var sql = Books + " -- registered " + Guid.NewGuid().ToString("N");
        RowReaders.Register(sql, reader);
        await using var connection = await db.OpenAsync();

        Assert.Equal(new Book(3, "read:Ubik"), (await connection.FetchAsync<Book>(sql, [3])).Single());
        Assert.Equal(new Book(2, "read:Emma"), await connection.FetchRowAsync<Book>(sql, [2]));
        Assert.Equal(3, await connection.FetchStreamAsync<Book>(sql, [1]).CountAsync());
        Assert.Equal(1 + 1 + 3, reader.Reads);

        // Other SQL, even the same statement spelled differently, still maps by reflection (no "read:" prefix).
        Assert.Equal(new Book(3, "Ubik"), (await connection.FetchAsync<Book>(Books, [3])).Single());
        Assert.Equal(5, reader.Reads);
    }

    [Fact]
    public async Task Null_reader_is_refused_by_name()
    {
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => connection.FetchAsync(Books, (RowReader<Book>)null!, [1]));
        Assert.Equal("reader", error.ParamName);
        Assert.Throws<ArgumentNullException>(() => RowReaders.Register<Book>("SELECT 1", null!));
    }
}
