using PgKit.Tests.Support;

namespace PgKit.Tests;

public sealed class SelectTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private string people = "";

    public async ValueTask InitializeAsync() => people = await db.OnceAsync("people", async () =>
    {
        var people = await db.CreateTableAsync(Schemas.People);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteSqlAsync(
            $"INSERT INTO {people} (name, email, age) VALUES ('Ann', 'ann@x', 30), ('Bob', NULL, 25), ('Cy', 'cy@x', NULL), ('Dee', 'dee@x', 41)");
        return people;
    });

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Get_by_where_map_returns_first_match_or_null()
    {
        await using var connection = await db.OpenAsync();
        var bob = await connection.GetAsync<Person>(people, new { name = "Bob" });
        Assert.Equal(new Person(bob!.Id, "Bob", null, 25), bob);
        Assert.Null(await connection.GetAsync<Person>(people, new { name = "Nobody" }));
    }

    [Fact]
    public async Task Null_in_where_map_means_is_null()
    {
        await using var connection = await db.OpenAsync();
        var noEmail = await connection.SelectAsync<Person>(people, new Dictionary<string, object?> { ["email"] = null });
        Assert.Equal(["Bob"], noEmail.Select(p => p.Name));
        var noAge = await connection.GetAsync<PersonRow>(people, new { Age = (int?)null });
        Assert.Equal("Cy", noAge!.FullName);
    }

    [Fact]
    public async Task Get_and_select_by_raw_condition_with_positional_args()
    {
        await using var connection = await db.OpenAsync();
        var one = await connection.GetAsync<Person>(people, "age > $1 AND name <> $2", [26, "Dee"]);
        Assert.Equal("Ann", one!.Name);
        var many = await connection.SelectAsync<Person>(people, "age >= $1 -- a trailing comment must not swallow ORDER BY", [25], orderBy: "age DESC");
        Assert.Equal(["Dee", "Ann", "Bob"], many.Select(p => p.Name));
    }

    [Fact]
    public async Task Select_orders_limits_and_offsets()
    {
        await using var connection = await db.OpenAsync();
        var all = await connection.SelectAsync<Person>(people, orderBy: OrderBy.Asc("name"));
        Assert.Equal(["Ann", "Bob", "Cy", "Dee"], all.Select(p => p.Name));
        var page = await connection.SelectAsync<Person>(people, orderBy: OrderBy.Desc("name"), limit: 2, offset: 1);
        Assert.Equal(["Cy", "Bob"], page.Select(p => p.Name));
        var nullsLast = await connection.SelectAsync<string>(people, orderBy: "age, name", limit: 10);
        Assert.Equal(4, nullsLast.Count);
    }

    [Fact]
    public async Task Select_into_a_class_uses_column_attribute_and_skips_not_mapped()
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.SelectAsync<PersonRow>(people, new { email = "dee@x" });
        var dee = Assert.Single(rows);
        Assert.Equal("Dee", dee.FullName);
        Assert.Equal(41, dee.Age);
        Assert.Equal("Dee <dee@x>", dee.Display);
    }

    [Fact]
    public async Task Count_and_exists_by_map_and_condition()
    {
        await using var connection = await db.OpenAsync();
        Assert.Equal(4, await connection.CountAsync(people));
        Assert.Equal(1, await connection.CountAsync(people, new { name = "Ann", age = 30 }));
        Assert.Equal(2, await connection.CountAsync(people, "age > $1", [26]));
        Assert.True(await connection.ExistsAsync(people, new { name = "Cy" }));
        Assert.False(await connection.ExistsAsync(people, new { name = "Cy", age = 1 }));
        Assert.True(await connection.ExistsAsync(people, "email LIKE $1", ["%@x"]));
        Assert.False(await connection.ExistsAsync(people, "age > $1", [100]));
    }

    [Fact]
    public async Task Stream_yields_rows_lazily_and_honours_cancellation()
    {
        await using var connection = await db.OpenAsync();
        var names = new List<string>();
        await foreach (var person in connection.SelectStreamAsync<Person>(people, orderBy: "name"))
        {
            names.Add(person.Name);
        }

        Assert.Equal(["Ann", "Bob", "Cy", "Dee"], names);

        var streamed = new List<int>();
        await foreach (var n in connection.SelectStreamAsync<int>(people, "age IS NOT NULL", orderBy: "age"))
        {
            streamed.Add(n);
        }

        Assert.Equal(3, streamed.Count);

        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in connection.SelectStreamAsync<Person>(people).WithCancellation(cts.Token))
            {
                seen++;
                await cts.CancelAsync();
            }
        });
        Assert.Equal(1, seen);

        // The connection is usable again after an abandoned stream.
        Assert.Equal(4, await connection.CountAsync(people));
    }

    [Fact]
    public async Task Closed_connection_is_opened_for_the_call_and_closed_again()
    {
        await using var connection = db.DataSource.CreateConnection();
        Assert.Equal(4, await connection.CountAsync(people));
        Assert.Equal(System.Data.ConnectionState.Closed, connection.State);
    }

    [Fact]
    public async Task Empty_or_wrong_inputs_give_clear_argument_errors()
    {
        await using var connection = await db.OpenAsync();
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => connection.GetAsync<Person>(people, new { }));
        Assert.Equal("where", empty.ParamName);
        var emptyMap = await Assert.ThrowsAsync<ArgumentException>(() => connection.SelectAsync<Person>(people, new Dictionary<string, object?>()));
        Assert.Equal("where", emptyMap.ParamName);
        Assert.Contains("no columns", emptyMap.Message, StringComparison.Ordinal);
        var scalar = await Assert.ThrowsAsync<ArgumentException>(() => connection.CountAsync(people, (object)42));
        Assert.Equal("where", scalar.ParamName);
        var condition = await Assert.ThrowsAsync<ArgumentException>(() => connection.CountAsync(people, "  "));
        Assert.Equal("condition", condition.ParamName);
        Assert.Throws<ArgumentException>(() => connection.SelectStreamAsync<Person>(people, new { }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => connection.SelectAsync<Person>(people, limit: -1));
    }
}
