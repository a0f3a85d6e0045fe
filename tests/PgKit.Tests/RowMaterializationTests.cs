using System.Data;
using PgKit.Mapping;
using PgKit.Tests.Support;

namespace PgKit.Tests;

/// <summary>
/// Rows read into records and classes keep Dapper's semantics on the typed path (each column read as its own type):
/// NULL gives a constructor parameter its default, leaves a property as its initializer set it, and columns that need
/// a conversion (a narrower integer, a text enum, timestamptz into DateTimeOffset) convert as before.
/// </summary>
public sealed class RowMaterializationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Null_into_a_constructor_parameter_gives_its_default()
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.FetchAsync<CtorRow>(
            "SELECT g::bigint AS id, CASE WHEN g = 2 THEN NULL ELSE g * 10 END::bigint AS score, CASE WHEN g = 2 THEN NULL ELSE 'n' || g END AS name, "
            + "CASE WHEN g = 2 THEN NULL ELSE g END AS maybe FROM generate_series(1, 3) g ORDER BY g");
        Assert.Equal([new CtorRow(1, 10, "n1", 1), new CtorRow(2, 0, null, null), new CtorRow(3, 30, "n3", 3)], rows);
    }

    [Fact]
    public async Task Null_leaves_a_property_as_its_initializer_set_it()
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.FetchAsync<PropertyRow>(
            "SELECT g AS id, CASE WHEN g = 1 THEN NULL ELSE 'set' END AS label FROM generate_series(1, 2) g ORDER BY g");
        Assert.Equal(["initial", "set"], rows.Select(static r => r.Label));
        Assert.Equal([1, 2], rows.Select(static r => r.Id));
    }

    [Fact]
    public async Task Columns_that_need_a_conversion_still_convert()
    {
        await using var connection = await db.OpenAsync();
        var row = await connection.FetchRowAsync<ConvertedRow>(
            "SELECT 7::int AS count, 'very_sad' AS mood, '2024-02-29T12:00:00+05:00'::timestamptz AS at, 3::smallint AS small");
        Assert.NotNull(row);
        Assert.Equal(7L, row.Count);
        Assert.Equal(Mood.VerySad, row.Mood);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 7, 0, 0, TimeSpan.Zero), row.At);
        Assert.Equal(3L, row.Small);
    }

    [Fact]
    public async Task A_column_of_the_wrong_type_is_a_clear_error()
    {
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => connection.FetchAsync<CtorRow>("SELECT 1::bigint AS id, 2::bigint AS score, 'x' AS name, 'not a number' AS maybe"));
        Assert.Contains("maybe", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Two_result_shapes_of_one_row_type_alternating_are_each_planned_once()
    {
        await using var connection = await db.OpenAsync();
        const string Narrow = "SELECT 1::bigint AS id, 'a' AS name";
        const string Wide = "SELECT 'b' AS name, 2 AS ignored, 2::bigint AS id";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(new ShapeRow(1, "a"), (await connection.FetchAsync<ShapeRow>(Narrow, [])).Single());
            Assert.Equal(new ShapeRow(2, "b"), (await connection.FetchAsync<ShapeRow>(Wide, [])).Single());
            Assert.Equal(new ShapeRow(1, "a"), await connection.FetchRowAsync<ShapeRow>(Narrow, []));
        }

        // One plan (one compiled reader) per shape: the second shape must not push the first out.
        Assert.Equal(2, RowParsers<ShapeRow>.PlansBuilt);
    }

    [Fact]
    public async Task The_plans_of_one_row_type_are_bounded()
    {
        await using var connection = await db.OpenAsync();
        for (var i = 0; i < RowParsers<BoundedRow>.MaxPlans + 4; i++)
        {
            Assert.Equal(new BoundedRow(i, "x"), (await connection.FetchAsync<BoundedRow>($"SELECT $1::bigint AS id, 'x' AS name, 0 AS extra_{i}", [(long)i])).Single());
        }

        Assert.Equal(RowParsers<BoundedRow>.MaxPlans + 4, RowParsers<BoundedRow>.PlansBuilt);
        Assert.Equal(RowParsers<BoundedRow>.MaxPlans, RowParsers<BoundedRow>.PlansCached);
    }

    [Fact]
    public async Task A_value_that_does_not_convert_names_the_column_its_type_and_the_member()
    {
        await using var connection = await db.OpenAsync();
        var text = await Assert.ThrowsAsync<DataException>(() => connection.FetchAsync<Counter>("SELECT 7::bigint AS id, 'abc'::text AS count", []));
        Assert.Equal(
            "Cannot read column 'count' (ordinal 1, PostgreSQL type text) into Counter.Count (System.Int32).",
            text.Message);

        var overflow = await Assert.ThrowsAsync<DataException>(() => connection.FetchAsync<Counter>("SELECT 30000000000::bigint AS count, 7::bigint AS id", []));
        Assert.Equal(
            "Cannot read column 'count' (ordinal 0, PostgreSQL type bigint) into Counter.Count (System.Int32).",
            overflow.Message);

        var uuid = await Assert.ThrowsAsync<DataException>(() => connection.FetchAsync<PropertyRow>("SELECT gen_random_uuid() AS id, 'x' AS label", []));
        Assert.Equal(
            "Cannot read column 'id' (ordinal 0, PostgreSQL type uuid) into PropertyRow.Id (System.Int32).",
            uuid.Message);

        var flag = await Assert.ThrowsAsync<DataException>(() => connection.FetchAsync<Flagged>("SELECT 1 AS id, repeat('long value ', 1000) AS flag", []));
        Assert.Equal(
            "Cannot read column 'flag' (ordinal 1, PostgreSQL type text) into Flagged.Flag (System.Boolean).",
            flag.Message);
        Assert.DoesNotContain("long value", flag.ToString(), StringComparison.Ordinal);

        // Unchanged: NULL into a non-nullable member is its default (Dapper's rule), and a bigint reads into a bool as Dapper converts it.
        Assert.Equal(new Counter(7, 0), (await connection.FetchAsync<Counter>("SELECT 7::bigint AS id, NULL::int AS count", [])).Single());
        Assert.Equal(new Flagged(1, true), (await connection.FetchAsync<Flagged>("SELECT 1 AS id, 7::bigint AS flag", [])).Single());
        Assert.Equal(1, await connection.FetchValueAsync<int>("SELECT 1", [])); // the connection is still usable
    }

    public sealed record Counter(long Id, int Count);

    public sealed record Flagged(int Id, bool Flag);

    public sealed record ShapeRow(long Id, string Name);

    public sealed record BoundedRow(long Id, string Name);

    public sealed record CtorRow(long Id, long Score, string? Name, int? Maybe);

    public sealed record ConvertedRow(long Count, Mood Mood, DateTimeOffset At, long? Small);

    public sealed class PropertyRow
    {
        public int Id { get; set; }

        public string Label { get; set; } = "initial";
    }
}
