using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PgKit.Tests.Support;

namespace PgKit.Tests;

/// <summary>Property-based tests: whatever the names and values, PgKit addresses exactly what was asked and round-trips values.</summary>
public sealed class PropertyTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(100);

    // Fragments that break naive SQL building: quotes, separators, comments, placeholders, keywords, unicode, whitespace.
    private static readonly string[] Fragments =
    [
        "a", "Z", "_", "1", " ", "\"", "'", "`", ";", "--", "/*", "*/", "$1", "$$", "@p", ":p", "?", ".", ",", "(", ")", "\\", "\t", "\n",
        "select", "TABLE", "drop table sentinel", "é", "ß", "用", "😀", "\u200b", "x\"; DROP TABLE sentinel; --",
    ];

    private static readonly Gen<string> Identifier =
        Gen.NonEmptyListOf(Gen.Elements(Fragments)).Select(parts => string.Concat(parts))
            .Where(name => Encoding.UTF8.GetByteCount(name) <= PgIdentifier.MaxByteLength);

    [Fact]
    public void Arbitrary_identifiers_as_table_and_column_names_create_insert_read_and_drop_exactly_that()
    {
        RunSetup(async () =>
        {
            await using var connection = await db.OpenAsync();
            await connection.ExecuteSqlAsync("CREATE SCHEMA prop; CREATE TABLE sentinel (id int); INSERT INTO sentinel VALUES (1)");
        });

        var names =
            from table in Identifier
            from first in Identifier
            from second in Identifier
            where first != second
            select (table, first, second);

        Check.One(Config, Prop.ForAll(names.ToArbitrary(), n => Run(async () =>
        {
            await using var connection = await db.OpenAsync();
            var table = new TableName("prop", n.table);
            var a = PgIdentifier.Quote(n.first);
            var b = PgIdentifier.Quote(n.second);
            await connection.ExecuteSqlAsync($"CREATE TABLE {table} ({a} int, {b} text)");

            var values = new Dictionary<string, object?> { [n.first] = 7, [n.second] = n.table };
            var inserted = await connection.InsertAsync<(int, string)>(table, values);
            var read = await connection.GetAsync<(int, string)>(table, new Dictionary<string, object?> { [n.first] = 7 });
            var updated = await connection.UpdateAsync<(int, string)>(table, values, new Dictionary<string, object?> { [n.first] = 8 });
            var ordered = await connection.SelectAsync<(int, string)>(table, orderBy: OrderBy.Desc(n.second));
            var catalog = await connection.FetchAsync<string>(
                "SELECT c.relname || '|' || string_agg(a.attname, '|' ORDER BY a.attnum) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
                + "WHERE c.relnamespace = 'prop'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 GROUP BY c.relname");
            var deleted = await connection.DeleteAsync(table, new Dictionary<string, object?> { [n.first] = 8, [n.second] = n.table });
            await connection.ExecuteSqlAsync($"DROP TABLE {table}");
            var sentinel = await connection.CountAsync("public.sentinel");

            return inserted == (7, n.table) && read == (7, n.table) && updated.SequenceEqual([(8, n.table)]) && ordered.SequenceEqual([(8, n.table)])
                && catalog.SequenceEqual([$"{n.table}|{n.first}|{n.second}"]) && deleted == 1 && sentinel == 1;
        })));

        RunSetup(async () =>
        {
            await using var connection = await db.OpenAsync();
            Assert.Equal(0, await connection.FetchValueAsync<long>("SELECT count(*) FROM pg_class WHERE relnamespace = 'prop'::regnamespace"));
            Assert.Equal(1, await connection.CountAsync("sentinel"));
        });
    }

    [Fact]
    public void Arbitrary_values_round_trip_exactly()
    {
        var table = RunSetup(() => db.CreateTableAsync("id serial PRIMARY KEY, i int, s text, d numeric, b bytea, l bigint"));
        var strings = ArbMap.Default.GeneratorFor<string>().Where(s => s is not null && !s.Contains('\0', StringComparison.Ordinal) && IsValidUtf16(s));
        var rows =
            from i in ArbMap.Default.GeneratorFor<int>()
            from s in strings
            from d in ArbMap.Default.GeneratorFor<decimal>()
            from b in ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null)
            from l in ArbMap.Default.GeneratorFor<long>()
            select new ValueRow(0, i, s, d, b, l);

        Check.One(Config, Prop.ForAll(rows.ToArbitrary(), row => Run(async () =>
        {
            await using var connection = await db.OpenAsync();
            var inserted = await connection.InsertAsync<ValueRow>(table, new { row.I, row.S, row.D, row.B, row.L });
            var read = await connection.GetAsync<ValueRow>(table, new { inserted.Id });
            var byValue = await connection.CountAsync(table, new { inserted.Id, row.I, row.S, row.D, row.B, row.L });
            return Same(row, inserted) && Same(row, read!) && byValue == 1;
        })));
    }

    [Fact]
    public async Task Text_containing_nul_gives_a_clear_error()
    {
        var table = await db.CreateTableAsync("id serial PRIMARY KEY, s text");
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => connection.InsertAsync<int>(table, new { s = "a\0b" }));
        Assert.Equal("values", error.ParamName);
        Assert.Contains("'s'", error.Message, StringComparison.Ordinal);
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => connection.InsertManyAsync(table, Enumerable.Range(0, 150).Select(i => new { s = i == 149 ? "\0" : "ok" })));
        Assert.Equal(0, await connection.CountAsync(table));
    }

    private static bool Same(ValueRow expected, ValueRow actual)
        => expected.I == actual.I && expected.S == actual.S && expected.D == actual.D && expected.B.AsSpan().SequenceEqual(actual.B) && expected.L == actual.L;

    private static bool IsValidUtf16(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    // FsCheck properties are synchronous: run the async body off the xunit synchronization context.
    private static bool Run(Func<Task<bool>> body) => Task.Run(body).GetAwaiter().GetResult();

    private static void RunSetup(Func<Task> body) => Task.Run(body).GetAwaiter().GetResult();

    private static T RunSetup<T>(Func<Task<T>> body) => Task.Run(body).GetAwaiter().GetResult();

    public sealed record ValueRow(int Id, int I, string S, decimal D, byte[] B, long L);
}
