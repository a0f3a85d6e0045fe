using System.Text.Json;
using Npgsql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

public sealed class TypeRoundTripTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private string table = "";

    public async ValueTask InitializeAsync() => table = await db.OnceAsync("schema", async () =>
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteSqlAsync("CREATE TYPE mood AS ENUM ('happy', 'very_sad', 'meh')");
        await connection.ReloadTypesAsync();
        return await db.CreateTableAsync(Schemas.Everything);
    });

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static object SampleValues() => new
    {
        I = int.MinValue,
        L = long.MaxValue,
        D = 1234567890123456.0123456789m,
        F = Math.PI,
        B = true,
        S = "héllo \"wörld\" ' ; -- 😀",
        Ints = new[] { 1, -2, int.MaxValue },
        Strs = new[] { "a", "", "c,d", "\"q\"" },
        Js = """{"b": [1, 2], "a": "x"}""",
        Jb = JsonDocument.Parse("""{"k": {"n": 1.5}}"""),
        MoodText = Mood.VerySad,
        MoodEnum = Mood.SoSo,
        At = new DateTimeOffset(2024, 2, 29, 23, 59, 58, 123, TimeSpan.FromHours(5)).AddTicks(4560),
        AtUtc = new DateTime(2001, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(10),
        Ts = new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Unspecified),
        U = Guid.Parse("0b7e3c2a-1f5d-4e8a-9c1b-2d3e4f5a6b7c"),
        Bytes = new byte[] { 0, 1, 2, 255, 0 },
        Day = new DateOnly(2020, 2, 29),
    };

    private static void AssertSample(Everything row)
    {
        Assert.Equal(int.MinValue, row.I);
        Assert.Equal(long.MaxValue, row.L);
        Assert.Equal(1234567890123456.0123456789m, row.D);
        Assert.Equal(Math.PI, row.F);
        Assert.True(row.B);
        Assert.Equal("héllo \"wörld\" ' ; -- 😀", row.S);
        Assert.Equal(new[] { 1, -2, int.MaxValue }, row.Ints);
        Assert.Equal(new[] { "a", "", "c,d", "\"q\"" }, row.Strs);
        Assert.Equal("""{"b": [1, 2], "a": "x"}""", row.Js); // json keeps the text exactly
        Assert.Equal(1.5, row.Jb!.RootElement.GetProperty("k").GetProperty("n").GetDouble());
        Assert.Equal(Mood.VerySad, row.MoodText);
        Assert.Equal(Mood.SoSo, row.MoodEnum);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 23, 59, 58, 123, TimeSpan.FromHours(5)).AddTicks(4560), row.At);
        Assert.Equal(TimeSpan.Zero, row.At!.Value.Offset);
        Assert.Equal(new DateTime(2001, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(10), row.AtUtc);
        Assert.Equal(DateTimeKind.Utc, row.AtUtc!.Value.Kind);
        Assert.Equal(new DateTime(1999, 12, 31, 23, 59, 59), row.Ts);
        Assert.Equal(Guid.Parse("0b7e3c2a-1f5d-4e8a-9c1b-2d3e4f5a6b7c"), row.U);
        Assert.Equal(new byte[] { 0, 1, 2, 255, 0 }, row.Bytes);
        Assert.Equal(new DateOnly(2020, 2, 29), row.Day);
    }

    [Fact]
    public async Task Every_type_round_trips_through_insert_and_get()
    {
        await using var connection = await db.OpenAsync();
        var inserted = await connection.InsertAsync<Everything>(table, SampleValues());
        AssertSample(inserted);

        var read = await connection.GetAsync<Everything>(table, new { inserted.Id });
        Assert.NotNull(read);
        AssertSample(read);
    }

    [Fact]
    public async Task Text_values_are_stored_as_postgres_sees_them()
    {
        await using var connection = await db.OpenAsync();
        var inserted = await connection.InsertAsync<Everything>(table, SampleValues());
        var stored = await connection.FetchRowAsync<(string MoodText, string MoodEnum, string Jb, string At, string Bytes)>(
            $"SELECT mood_text, mood_enum::text, jb::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), encode(bytes, 'hex') FROM {table} WHERE id = $1",
            [inserted.Id]);
        Assert.Equal("very_sad", stored.MoodText);
        Assert.Equal("meh", stored.MoodEnum);
        Assert.Equal("""{"k": {"n": 1.5}}""", stored.Jb);
        Assert.Equal("2024-02-29 18:59:58.123456", stored.At);
        Assert.Equal("000102ff00", stored.Bytes);
    }

    [Fact]
    public async Task Nulls_round_trip_in_every_column()
    {
        await using var connection = await db.OpenAsync();
        var values = new Dictionary<string, object?>
        {
            ["i"] = null, ["l"] = null, ["d"] = null, ["f"] = null, ["b"] = null, ["s"] = null, ["ints"] = null, ["strs"] = null,
            ["js"] = null, ["jb"] = null, ["mood_text"] = null, ["mood_enum"] = null, ["at"] = null, ["at_utc"] = null, ["ts"] = null,
            ["u"] = null, ["bytes"] = null, ["day"] = null,
        };
        var row = await connection.InsertAsync<Everything>(table, values);
        Assert.Equal(new Everything(row.Id, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null), row);
        Assert.Equal(1, await connection.CountAsync(table, new { id = row.Id, i = (int?)null, s = (string?)null, jb = (string?)null }));
    }

    [Fact]
    public async Task Json_columns_accept_strings_and_documents_and_read_as_either()
    {
        await using var connection = await db.OpenAsync();
        var row = await connection.InsertAsync<JbRow>(table, new { jb = """{"a":1}""", js = JsonDocument.Parse("[1,2]") });
        Assert.Equal("""{"a": 1}""", row.Jb);
        var element = await connection.FetchValueAsync<JsonElement>($"SELECT jb FROM {table} WHERE id = $1", [row.Id]);
        Assert.Equal(1, element.GetProperty("a").GetInt32());
        var js = await connection.FetchValueAsync<JsonDocument>($"SELECT js FROM {table} WHERE id = $1", [row.Id]);
        Assert.Equal(2, js!.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Enum_reads_from_text_postgres_enum_and_integer()
    {
        await using var connection = await db.OpenAsync();
        Assert.Equal(Mood.VerySad, await connection.FetchValueAsync<Mood>("SELECT 'very_sad'::text"));
        Assert.Equal(Mood.SoSo, await connection.FetchValueAsync<Mood>("SELECT 'meh'::mood"));
        Assert.Equal(Mood.VerySad, await connection.FetchValueAsync<Mood>("SELECT 'VerySad'::text")); // CLR spelling tolerated
        Assert.Equal(Mood.VerySad, await connection.FetchValueAsync<Mood?>("SELECT 1"));
        Assert.Null(await connection.FetchValueAsync<Mood?>("SELECT NULL::mood"));
        await Assert.ThrowsAsync<InvalidCastException>(() => connection.FetchValueAsync<Mood>("SELECT 'angry'::text"));
    }

    [Fact]
    public async Task Enum_mapped_on_the_data_source_works_too()
    {
        var builder = new NpgsqlDataSourceBuilder(db.ConnectionString);
        builder.MapEnum<Mood>("mood");
        await using var dataSource = builder.Build();
        await using var connection = await dataSource.OpenConnectionAsync();
        var row = await connection.InsertAsync<Everything>(table, new { mood_enum = Mood.Happy, mood_text = Mood.Happy });
        Assert.Equal(Mood.Happy, row.MoodEnum);
        Assert.Equal(Mood.Happy, row.MoodText);
        Assert.Equal(Mood.Happy, await connection.FetchValueAsync<Mood>($"SELECT mood_enum FROM {table} WHERE id = $1", [row.Id]));
    }

    [Fact]
    public async Task Scalars_tuples_and_lists_map_by_position()
    {
        await using var connection = await db.OpenAsync();
        Assert.Equal(42L, await connection.FetchValueAsync<long>("SELECT 42"));
        Assert.Equal(42, await connection.FetchValueAsync<int>("SELECT 42::bigint"));
        Assert.Equal(2.5m, await connection.FetchValueAsync<decimal>("SELECT 2.5::numeric"));
        Assert.Null(await connection.FetchValueAsync<string>("SELECT NULL::text"));
        Assert.Null(await connection.FetchValueAsync<int?>("SELECT 1 WHERE false"));
        Assert.Equal(new List<int> { 1, 2 }, await connection.FetchValueAsync<List<int>>("SELECT ARRAY[1,2]"));
        var tuples = await connection.FetchAsync<(int, string?, DateTimeOffset)>(
            "SELECT g, CASE WHEN g = 2 THEN NULL ELSE 'x' || g END, '2020-01-01Z'::timestamptz FROM generate_series(1, 3) g ORDER BY g");
        Assert.Equal([(1, "x1", DateTimeOffset.Parse("2020-01-01Z")), (2, null, DateTimeOffset.Parse("2020-01-01Z")), (3, "x3", DateTimeOffset.Parse("2020-01-01Z"))], tuples);
        Assert.Equal(new[] { 1, 2, 3 }, await connection.FetchAsync<int>("SELECT generate_series(1, 3)"));
    }
}

public sealed record JbRow(int Id, string? Jb);
