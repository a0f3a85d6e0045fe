using PgKit.Tests.Support;

namespace PgKit.Tests;

public sealed class RawStreamAndInsertTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Raw_stream_yields_rows_of_any_query_with_positional_args()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteSqlAsync($"INSERT INTO {people} (name, age) SELECT 'p' || i, i FROM generate_series(1, 50) i");

        var ages = new List<int>();
        await foreach (var age in connection.FetchStreamAsync<int>($"SELECT age FROM {people} WHERE age > $1 ORDER BY age", [45]))
        {
            ages.Add(age);
        }

        Assert.Equal([46, 47, 48, 49, 50], ages);

        var pairs = new List<(string, int)>();
        await foreach (var pair in connection.FetchStreamAsync<(string Name, int Age)>($"SELECT name, age FROM {people} ORDER BY age LIMIT 2"))
        {
            pairs.Add(pair);
        }

        Assert.Equal([("p1", 1), ("p2", 2)], pairs);
    }

    [Fact]
    public async Task Raw_stream_is_lazy_and_stops_when_the_consumer_does()
    {
        await using var connection = await db.OpenAsync();
        var seen = 0;
        await foreach (var n in connection.FetchStreamAsync<long>("SELECT g FROM generate_series(1, 1000000) g"))
        {
            if (++seen == 3)
            {
                break;
            }
        }

        Assert.Equal(3, seen);
        Assert.Equal(1, await connection.FetchValueAsync<int>("SELECT 1")); // the connection is free again
        Assert.Throws<ArgumentException>(() => connection.FetchStreamAsync<int>(" "));
    }

    [Fact]
    public async Task Raw_stream_on_a_session_uses_the_sessions_connection()
    {
        await using var connection = await db.OpenAsync();
        var session = new TestSession(connection);
        var values = new List<string>();
        await foreach (var s in session.FetchStreamAsync<string>("SELECT unnest($1::text[])", [new[] { "a", "b" }]))
        {
            values.Add(s);
        }

        Assert.Equal(["a", "b"], values);
        Assert.Equal(1, session.Calls);
    }

    [Fact]
    public async Task Stream_of_a_table_name_is_still_the_table_overload()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        await connection.InsertAsync<Person>(people, new { name = "Ann" });
        var names = new List<string>();
        await foreach (var p in connection.SelectStreamAsync<Person>(people))
        {
            names.Add(p.Name);
        }

        Assert.Equal(["Ann"], names);
    }

    [Fact]
    public async Task Insert_whose_row_a_trigger_suppresses_throws_instead_of_returning_null()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteSqlAsync($"""
            CREATE FUNCTION {people}_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            CREATE TRIGGER skip BEFORE INSERT ON {people} FOR EACH ROW WHEN (NEW.name = 'ghost') EXECUTE FUNCTION {people}_skip();
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.InsertAsync<Person>(people, new { name = "ghost" }));
        Assert.Contains("returned no row", error.Message, StringComparison.Ordinal);
        Assert.Contains(people, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await connection.CountAsync(people));

        var table = new Table<Person, int>(people);
        await Assert.ThrowsAsync<InvalidOperationException>(() => table.InsertAsync(connection, new { name = "ghost" }));
        Assert.Equal("Ann", (await connection.InsertAsync<Person>(people, new { name = "Ann" })).Name);
    }

    [Fact]
    public async Task Nul_in_a_cached_maps_text_is_refused_before_anything_is_sent()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => connection.InsertAsync<Person>(people, new { name = "a\0b" }));
        Assert.Equal("values", error.ParamName);
        Assert.Contains("\"name\"", error.Message.Replace("'", "\"", StringComparison.Ordinal), StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => connection.GetAsync<Person>(people, new { name = "a\0b" }));
        Assert.Equal(0, await connection.CountAsync(people));
    }
}
