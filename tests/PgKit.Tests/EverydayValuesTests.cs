using Npgsql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

/// <summary>
/// Values seed apps pass every day, with a plain data source (no EnableDynamicJson, no MapEnum): objects in jsonb, lists
/// of enum labels, lists in a where-map, and local times that would be stored shifted.
/// </summary>
public sealed class EverydayValuesTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private string table = "";

    public async ValueTask InitializeAsync() => table = await db.OnceAsync("schema", async () =>
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteSqlAsync("CREATE TYPE feeling AS ENUM ('happy', 'very_sad', 'meh')");
        await connection.ReloadTypesAsync();
        var name = await db.CreateTableAsync(
            "id bigint PRIMARY KEY, key uuid NOT NULL, feeling feeling NOT NULL, settings jsonb, tags jsonb, at timestamptz");
        await connection.ExecuteSqlAsync(
            $"INSERT INTO {name} VALUES (1, 'aaaaaaaa-0000-0000-0000-000000000001', 'happy', NULL, NULL, NULL), (2, 'aaaaaaaa-0000-0000-0000-000000000002', 'very_sad', NULL, NULL, NULL), (3, 'aaaaaaaa-0000-0000-0000-000000000003', 'meh', NULL, NULL, NULL)");
        return name;
    });

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public sealed record Settings(string Theme, int FontSize, IReadOnlyList<string> Pinned);

    public sealed record Tag(string Name, double Weight);

    public sealed record Holder(long Id, Settings? Settings, List<Tag>? Tags);

    public sealed record FeelingRow(long Id, Mood Feeling);

    [Fact]
    public async Task AnObject_GoesIntoJsonb_AndComesBackAsItsClass_WithNoSetUp()
    {
        await using var connection = await db.OpenAsync();
        var settings = new Settings("dark", 14, ["inbox", "drafts"]);
        List<Tag> tags = [new("urgent", 0.5), new("home", 2)];

        await connection.UpdateAsync<Holder>(table, new { id = 1L }, new { settings, tags });
        var row = await connection.GetAsync<Holder>(table, new { id = 1L });

        Assert.Equal(settings.Theme, row!.Settings!.Theme);
        Assert.Equal(settings.Pinned, row.Settings.Pinned);
        Assert.Equal(tags, row.Tags);
        Assert.Equal(14, await connection.FetchValueAsync<int>($"SELECT (settings->>'fontSize')::int FROM {table} WHERE id = 1"));
    }

    [Fact]
    public async Task AnArrayOfEnums_IsWritten_AsItsLabels()
    {
        await using var connection = await db.OpenAsync();

        var rows = await connection.FetchAsync<FeelingRow>($"SELECT id, feeling::text AS feeling FROM {table} WHERE feeling = ANY($1) ORDER BY id", [new[] { Mood.Happy, Mood.SoSo }]);

        Assert.Equal([1L, 3L], rows.Select(r => r.Id));
        Assert.Equal([Mood.Happy, Mood.SoSo], rows.Select(r => r.Feeling));
    }

    [Fact]
    public async Task AListInAWhereMap_MeansAnyOfThem()
    {
        await using var connection = await db.OpenAsync();

        var byIds = await connection.SelectAsync<FeelingRow>(table, new { id = new long[] { 2, 3, 99 } }, orderBy: "id");
        var byInts = await connection.SelectAsync<FeelingRow>(table, new { id = new List<int> { 1 } });
        var byEnums = await connection.SelectAsync<FeelingRow>(table, new { feeling = new[] { Mood.VerySad } });
        var byKeys = await connection.CountAsync(table, new Dictionary<string, object?> { ["key"] = new[] { "aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000003" } });
        var none = await connection.CountAsync(table, new { id = Array.Empty<long>() });

        Assert.Equal([2L, 3L], byIds.Select(r => r.Id));
        Assert.Equal(1L, Assert.Single(byInts).Id);
        Assert.Equal(2L, Assert.Single(byEnums).Id);
        Assert.Equal(2, byKeys);
        Assert.Equal(0, none);
    }

    [Fact]
    public async Task ALocalDateTime_IsRefused_NamingTheColumn_AndNothingIsWritten()
    {
        await using var connection = await db.OpenAsync();
        var local = new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Local);

        var update = await Assert.ThrowsAsync<ArgumentException>(() => connection.UpdateAsync<Holder>(table, new { id = 2L }, new { at = local }));
        var raw = await Assert.ThrowsAsync<ArgumentException>(() => connection.ExecuteSqlAsync($"UPDATE {table} SET at = $1 WHERE id = 2", [local]));

        Assert.Contains("'at'", update.Message, StringComparison.Ordinal);
        Assert.Contains("Kind=Local", update.Message, StringComparison.Ordinal);
        Assert.Contains("Kind=Local", raw.Message, StringComparison.Ordinal);
        Assert.Null(await connection.FetchValueAsync<DateTime?>($"SELECT at FROM {table} WHERE id = 2"));

        // UTC is fine, and stored as that instant.
        var utc = local.ToUniversalTime();
        await connection.UpdateAsync<Holder>(table, new { id = 2L }, new { at = utc });
        Assert.Equal(utc, await connection.FetchValueAsync<DateTime>($"SELECT at FROM {table} WHERE id = 2"));
    }
}
