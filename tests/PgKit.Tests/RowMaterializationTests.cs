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
        var rows = await connection.QueryAsync<CtorRow>(
            "SELECT g::bigint AS id, CASE WHEN g = 2 THEN NULL ELSE g * 10 END::bigint AS score, CASE WHEN g = 2 THEN NULL ELSE 'n' || g END AS name, "
            + "CASE WHEN g = 2 THEN NULL ELSE g END AS maybe FROM generate_series(1, 3) g ORDER BY g");
        Assert.Equal([new CtorRow(1, 10, "n1", 1), new CtorRow(2, 0, null, null), new CtorRow(3, 30, "n3", 3)], rows);
    }

    [Fact]
    public async Task Null_leaves_a_property_as_its_initializer_set_it()
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<PropertyRow>(
            "SELECT g AS id, CASE WHEN g = 1 THEN NULL ELSE 'set' END AS label FROM generate_series(1, 2) g ORDER BY g");
        Assert.Equal(["initial", "set"], rows.Select(static r => r.Label));
        Assert.Equal([1, 2], rows.Select(static r => r.Id));
    }

    [Fact]
    public async Task Columns_that_need_a_conversion_still_convert()
    {
        await using var connection = await db.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<ConvertedRow>(
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
        var error = await Assert.ThrowsAnyAsync<Exception>(() => connection.QueryAsync<CtorRow>("SELECT 1::bigint AS id, 2::bigint AS score, 'x' AS name, 'not a number' AS maybe"));
        Assert.Contains("maybe", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    public sealed record CtorRow(long Id, long Score, string? Name, int? Maybe);

    public sealed record ConvertedRow(long Count, Mood Mood, DateTimeOffset At, long? Small);

    public sealed class PropertyRow
    {
        public int Id { get; set; }

        public string Label { get; set; } = "initial";
    }
}
