using Npgsql;
using PgKit.Sql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

/// <summary>
/// The cached statement text of the table helpers: a cache keyed on too little (the type without the NULL pattern, the
/// table, the kind, the limit...) would send the text of one call with the values of another. Each test alternates
/// calls that share as much as possible of the key, so a wrong hit shows as a wrong row or wrong SQL.
/// </summary>
public sealed class SqlCacheTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private string people = "";
    private string others = "";

    public async ValueTask InitializeAsync()
    {
        (people, others) = await db.OnceAsync("cache", async () =>
        {
            var a = await db.CreateTableAsync(Schemas.People);
            var b = await db.CreateTableAsync(Schemas.People);
            await using var connection = await db.OpenAsync();
            await connection.ExecuteSqlAsync($"INSERT INTO {a} (name, email, age) VALUES ('Ann', 'ann@x', 30), ('Bob', NULL, 25), ('Cy', 'cy@x', NULL)");
            await connection.ExecuteSqlAsync($"INSERT INTO {b} (name, email, age) VALUES ('Zed', NULL, 99)");
            return (a, b);
        });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public void Same_map_type_with_a_different_null_pattern_gets_its_own_text_and_parameters()
    {
        var withEmail = Build(SqlKind.Select, "t", new { name = "Ann", email = (string?)"ann@x" }, limit: 1);
        var withoutEmail = Build(SqlKind.Select, "t", new { name = "Bob", email = (string?)null }, limit: 1);
        var again = Build(SqlKind.Select, "t", new { name = "Cy", email = (string?)"cy@x" }, limit: 1);

        Assert.Equal("""SELECT * FROM "t" WHERE "name" = $1 AND "email" = $2 LIMIT 1""", withEmail.Text);
        Assert.Equal("""SELECT * FROM "t" WHERE "name" = $1 AND "email" IS NULL LIMIT 1""", withoutEmail.Text);
        Assert.Same(withEmail.Text, again.Text); // served from the cache
        Assert.Equal(["Bob"], Values(withoutEmail));
        Assert.Equal(["Cy", "cy@x"], Values(again));
    }

    [Fact]
    public void Different_types_tables_kinds_limits_and_orderings_never_share_a_text()
    {
        var texts = new[]
        {
            Build(SqlKind.Select, "t", new { name = "a", age = 1 }).Text,
            Build(SqlKind.Select, "t", new { age = 1, name = "a" }).Text,
            Build(SqlKind.Select, "u", new { name = "a", age = 1 }).Text,
            Build(SqlKind.Select, "s.t", new { name = "a", age = 1 }).Text,
            Build(SqlKind.Count, "t", new { name = "a", age = 1 }).Text,
            Build(SqlKind.Exists, "t", new { name = "a", age = 1 }).Text,
            Build(SqlKind.Delete, "t", new { name = "a", age = 1 }).Text,
            Build(SqlKind.DeleteReturning, "t", new { name = "a", age = 1 }).Text,
            Build(SqlKind.Select, "t", new { name = "a", age = 1 }, limit: 1).Text,
            Build(SqlKind.Select, "t", new { name = "a", age = 1 }, limit: 2).Text,
            Build(SqlKind.Select, "t", new { name = "a", age = 1 }, orderBy: "name").Text,
            Build(SqlKind.Select, "t", new { name = "a", age = 1 }, orderBy: "name DESC").Text,
            Build(SqlKind.Select, "t", null).Text,
        };

        Assert.Equal(texts.Length, texts.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("""SELECT * FROM "t" WHERE "age" = $1 AND "name" = $2""", texts[1]);
        Assert.Equal("""SELECT * FROM "s"."t" WHERE "name" = $1 AND "age" = $2""", texts[3]);
    }

    [Fact]
    public void Offsets_are_added_per_call_to_one_cached_text()
    {
        var first = Build(SqlKind.Select, "t", new { age = 1 }, orderBy: "name", limit: 10, offset: 0);
        var second = Build(SqlKind.Select, "t", new { age = 1 }, orderBy: "name", limit: 10, offset: 20);
        var none = Build(SqlKind.Select, "t", new { age = 1 }, orderBy: "name", limit: 10);

        Assert.Equal("""SELECT * FROM "t" WHERE "age" = $1 ORDER BY "name" LIMIT 10 OFFSET 0""", first.Text);
        Assert.Equal("""SELECT * FROM "t" WHERE "age" = $1 ORDER BY "name" LIMIT 10 OFFSET 20""", second.Text);
        Assert.Equal("""SELECT * FROM "t" WHERE "age" = $1 ORDER BY "name" LIMIT 10""", none.Text);
    }

    [Fact]
    public void Update_numbers_set_values_before_where_values_whichever_map_type_is_reused()
    {
        var update = SqlBuilder.Build(new SqlSpec
        {
            Kind = SqlKind.Update,
            Table = "t",
            First = ColumnMap.ForValues(new { age = 5 }, "set"),
            Second = ColumnMap.ForWhere(new { age = 7 }, "where"),
        });
        var swapped = SqlBuilder.Build(new SqlSpec
        {
            Kind = SqlKind.Update,
            Table = "t",
            First = ColumnMap.ForValues(new { name = "x", age = 5 }, "set"),
            Second = ColumnMap.ForWhere(new { age = 7 }, "where"),
        });

        Assert.Equal("""UPDATE "t" SET "age" = $1 WHERE "age" = $2 RETURNING *""", update.Text);
        Assert.Equal([5, 7], Values(update));
        Assert.Equal("""UPDATE "t" SET "name" = $1, "age" = $2 WHERE "age" = $3 RETURNING *""", swapped.Text);
        Assert.Equal(["x", 5, 7], Values(swapped));
    }

    [Fact]
    public void Dictionaries_are_built_per_call_so_their_keys_always_count()
    {
        var one = Build(SqlKind.Select, "t", new Dictionary<string, object?> { ["name"] = "a" });
        var two = Build(SqlKind.Select, "t", new Dictionary<string, object?> { ["email"] = null, ["age"] = 3 });

        Assert.Equal("""SELECT * FROM "t" WHERE "name" = $1""", one.Text);
        Assert.Equal("""SELECT * FROM "t" WHERE "email" IS NULL AND "age" = $1""", two.Text);
        Assert.Equal([3], Values(two));
    }

    [Fact]
    public void Typed_values_keep_their_PostgreSQL_type_and_nullable_ones_send_null()
    {
        var id = Guid.NewGuid();
        var call = Build(SqlKind.Insert, "t", new { a = 1, b = 2L, c = 1.5m, d = true, e = id, f = (int?)null, g = (long?)7, h = "text" });

        Assert.Equal("""INSERT INTO "t" ("a", "b", "c", "d", "e", "f", "g", "h") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""", call.Text);
        Assert.Equal([1, 2L, 1.5m, true, id, DBNull.Value, 7L, "text"], Values(call));
    }

    [Fact]
    public async Task Alternating_null_patterns_against_the_database_return_the_right_rows()
    {
        await using var connection = await db.OpenAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("Bob", (await connection.GetAsync<Person>(people, new { email = (string?)null, age = (int?)25 }))!.Name);
            Assert.Equal("Cy", (await connection.GetAsync<Person>(people, new { email = (string?)"cy@x", age = (int?)null }))!.Name);
            Assert.Equal("Ann", (await connection.GetAsync<Person>(people, new { email = (string?)"ann@x", age = (int?)30 }))!.Name);
            Assert.Null(await connection.GetAsync<Person>(people, new { email = (string?)null, age = (int?)null }));
            Assert.Equal("Zed", (await connection.GetAsync<Person>(others, new { email = (string?)null, age = (int?)99 }))!.Name);
            Assert.Equal(1, await connection.CountAsync(others, new { email = (string?)null, age = (int?)99 }));
            Assert.Equal(0, await connection.CountAsync(people, new { email = (string?)null, age = (int?)99 }));
        }
    }

    [Fact]
    public async Task Pages_of_one_cached_text_differ_by_offset()
    {
        await using var connection = await db.OpenAsync();
        var pages = new List<string>();
        for (var offset = 0; offset < 3; offset++)
        {
            var page = await connection.SelectAsync<Person>(people, orderBy: "name", limit: 1, offset: offset);
            pages.Add(page.Single().Name);
        }

        Assert.Equal(["Ann", "Bob", "Cy"], pages);
    }

    [Fact]
    public async Task Concurrent_queries_of_one_row_type_each_read_their_own_rows()
    {
        // Queries of one row type share a cached projection; each must still read its own reader.
        var tasks = Enumerable.Range(0, 8).Select(async i =>
        {
            await using var connection = await db.OpenAsync();
            var table = i % 2 == 0 ? people : others;
            var expected = i % 2 == 0 ? "Ann" : "Zed";
            for (var n = 0; n < 20; n++)
            {
                var rows = await connection.SelectAsync<Person>(table, orderBy: "name", limit: 1);
                Assert.Equal(expected, rows.Single().Name);
            }
        });
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Two_interleaved_streams_of_one_row_type_do_not_share_a_view()
    {
        await using var first = await db.OpenAsync();
        await using var second = await db.OpenAsync();
        var a = first.SelectStreamAsync<Person>(people, orderBy: "name").GetAsyncEnumerator();
        var b = second.SelectStreamAsync<Person>(others, orderBy: "name").GetAsyncEnumerator();
        try
        {
            Assert.True(await a.MoveNextAsync());
            Assert.True(await b.MoveNextAsync());
            Assert.Equal("Ann", a.Current.Name);
            Assert.Equal("Zed", b.Current.Name);
            Assert.True(await a.MoveNextAsync());
            Assert.Equal("Bob", a.Current.Name);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    private static SqlCall Build(SqlKind kind, TableName table, object? map, OrderBy? orderBy = null, int? limit = null, int? offset = null)
        => SqlBuilder.Build(new SqlSpec
        {
            Kind = kind,
            Table = table,
            First = map is null ? null : kind == SqlKind.Insert ? ColumnMap.ForValues(map, "values") : ColumnMap.ForWhere(map, "where"),
            OrderBy = orderBy,
            Limit = limit,
            Offset = offset,
        });

    private static object?[] Values(SqlCall call)
    {
        using var command = new NpgsqlCommand();
        call.AddParameters(command.Parameters);
        return [.. command.Parameters.Select(p => p.Value)];
    }
}
