using PgKit.Tests.Support;

namespace PgKit.Tests;

public sealed class RawSqlTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Query_maps_snake_case_columns_to_records_in_any_order_and_ignores_extra_columns()
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.FetchAsync<Person>(
            "SELECT 'x' AS unrelated, $2::int AS age, $1::text AS name, NULL::text AS email, 7 AS id", ["Ann", 30]);
        Assert.Equal(new Person(7, "Ann", null, 30), Assert.Single(rows));
    }

    [Fact]
    public async Task Record_without_a_column_for_a_parameter_gives_a_clear_error()
    {
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.FetchAsync<Person>("SELECT 1 AS id, 'a' AS name"));
        Assert.Contains("Person", error.Message, StringComparison.Ordinal);
        Assert.Contains("email", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_row_returns_the_first_row_or_default()
    {
        await using var connection = await db.OpenAsync();
        Assert.Equal(5, await connection.FetchRowAsync<int>("SELECT $1::int", [5]));
        Assert.Equal(0, await connection.FetchRowAsync<int>("SELECT 1 WHERE false"));
        Assert.Equal(1, await connection.FetchRowAsync<int>("SELECT generate_series(1, 2)"));
        Assert.Equal(1, await connection.FetchValueAsync<int>("SELECT 1")); // the rest was skipped: the connection is free
    }

    [Fact]
    public async Task Execute_returns_rows_affected_and_null_arguments_work()
    {
        var table = await db.CreateTableAsync("id int, note text");
        await using var connection = await db.OpenAsync();
        Assert.Equal(3, await connection.ExecuteSqlAsync($"INSERT INTO {table} SELECT g, $1 FROM generate_series(1, 3) g", [null]));
        Assert.Equal(2, await connection.ExecuteSqlAsync($"UPDATE {table} SET note = $1 WHERE id > $2", ["n", 1]));
        Assert.Equal(1, await connection.FetchValueAsync<long>($"SELECT count(*) FROM {table} WHERE note IS NULL"));
        Assert.Equal("n", await connection.FetchValueAsync<string>($"SELECT note FROM {table} WHERE id = $1", [3]));
    }

    [Fact]
    public async Task Sql_with_arguments_is_sent_untouched()
    {
        await using var connection = await db.OpenAsync();
        // With positional parameters Npgsql does not parse the SQL: "@p" and ":name" stay literal text.
        Assert.Equal("@p :name $1", await connection.FetchValueAsync<string>("SELECT '@p :name $1' || $1", [string.Empty]));
    }

    [Fact]
    public async Task Query_json_returns_an_array_and_empty_array_for_no_rows()
    {
        await using var connection = await db.OpenAsync();
        Assert.Equal("[]", await connection.FetchJsonAsync("SELECT 1 AS a WHERE false"));
        var json = await connection.FetchJsonAsync("SELECT g AS n, 'v' || g AS label FROM generate_series(1, $1::int) g ORDER BY g;", [2]);
        using var parsed = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("""[{"n":1,"label":"v1"},{"n":2,"label":"v2"}]""", System.Text.Json.JsonSerializer.Serialize(parsed.RootElement));
    }

    [Fact]
    public async Task Execute_file_runs_several_statements_including_dollar_quoted_bodies()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pgkit-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(path, """
            CREATE TABLE file_things (id int PRIMARY KEY, label text);
            -- a comment; with a semicolon
            INSERT INTO file_things VALUES (1, 'a;b'), (2, 'c');
            CREATE FUNCTION file_double(x int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN x * 2; END; $$;
            """);
        try
        {
            await using var connection = await db.OpenAsync();
            await connection.ExecuteFileAsync(path);
            Assert.Equal(2, await connection.CountAsync("file_things"));
            Assert.Equal("a;b", await connection.FetchValueAsync<string>("SELECT label FROM file_things WHERE id = 1"));
            Assert.Equal(42, await connection.FetchValueAsync<int>("SELECT file_double(21)"));
            await Assert.ThrowsAsync<FileNotFoundException>(() => connection.ExecuteFileAsync(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Session_helpers_forward_to_the_sessions_connection()
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        var session = new TestSession(connection);
        var ann = await session.InsertAsync<Person>(people, new { name = "Ann" });
        Assert.Equal(ann, await session.GetAsync<Person>(people, new { ann.Id }));
        Assert.Equal(1, await session.CountAsync(people));
        var names = new List<string>();
        await foreach (var p in session.SelectStreamAsync<Person>(people))
        {
            names.Add(p.Name);
        }

        Assert.Equal(["Ann"], names);
        Assert.Equal(1, await session.DeleteAsync(people, new { name = "Ann" }));
        Assert.Equal(5, session.Calls);
    }
}
