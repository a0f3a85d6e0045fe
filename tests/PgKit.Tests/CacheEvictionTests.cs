using PgKit.Sql;

namespace PgKit.Tests;

/// <summary>
/// The process-wide statement-text and parse caches stay useful once full: a program that builds conditions or names
/// dynamically must not stop everything else from being cached. These tests fill the shared caches, so they run alone
/// (a parallel test could otherwise take the freshly freed slots between two calls).
/// </summary>
[Collection(nameof(CacheEvictionTests))]
[CollectionDefinition(nameof(CacheEvictionTests), DisableParallelization = true)]
public sealed class CacheEvictionTests
{
    [Fact]
    public void Statement_cache_keeps_caching_after_distinct_conditions_fill_it()
    {
        for (var i = 0; i < SqlBuilder.Capacity + 500; i++)
        {
            Select($"id = {i}");
        }

        Assert.True(SqlBuilder.CachedCount <= SqlBuilder.Capacity, $"{SqlBuilder.CachedCount} texts cached");
        var condition = $"name = 'fresh {Guid.NewGuid():N}'";
        var first = Select(condition);
        var second = Select(condition);
        Assert.Same(first.Text, second.Text); // the second call was served from the cache
    }

    [Fact]
    public void Statement_cache_keeps_a_text_in_use_while_one_off_texts_come_and_go()
    {
        var condition = $"email = 'hot {Guid.NewGuid():N}'";
        var hot = Select(condition);
        for (var i = 0; i < 3 * SqlBuilder.Capacity; i++)
        {
            Select($"age = {i}");
            if (i % 64 == 0)
            {
                Assert.Same(hot.Text, Select(condition).Text);
            }
        }
    }

    [Fact]
    public void Name_and_ordering_caches_keep_caching_after_distinct_texts_fill_them()
    {
        for (var i = 0; i < ParseCache<TableName>.Capacity + 200; i++)
        {
            _ = (TableName)$"filler_{i}";
            _ = (OrderBy)$"filler_{i} DESC";
        }

        var name = $"fresh_{Guid.NewGuid():N}";
        Assert.Same((TableName)name, (TableName)name);
        Assert.Same((OrderBy)(name + " DESC, id"), (OrderBy)(name + " DESC, id"));
    }

    [Fact]
    public void Parse_cache_gives_an_entry_in_use_a_second_chance()
    {
        var parses = new Dictionary<string, int>();
        var cache = new ParseCache<string>(text =>
        {
            parses[text] = parses.GetValueOrDefault(text) + 1;
            return text;
        });

        for (var i = 0; i < 5 * ParseCache<string>.Capacity; i++)
        {
            _ = cache.Get("hot");
            _ = cache.Get($"cold {i}");
        }

        Assert.Equal(1, parses["hot"]);
        Assert.True(cache.Count <= ParseCache<string>.Capacity, $"{cache.Count} entries");
    }

    private static SqlCall Select(string condition)
        => SqlBuilder.Build(new SqlSpec { Kind = SqlKind.Select, Table = "t", Condition = condition, Args = [] });
}
