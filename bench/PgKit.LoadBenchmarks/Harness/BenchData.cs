using Npgsql;
using PgKit.Migrations;
using ReferenceApp;

namespace PgKit.LoadBenchmarks.Harness;

/// <summary>
/// The schema (the reference app's own migrations, plus the bench-only <c>fortunes</c>) and the data every variant reads
/// and writes: 10,000 authors, 100,000 articles, 1,000 coupons, 12 fortunes.
/// </summary>
internal static class BenchData
{
    public const int Authors = 10_000;
    public const int Articles = 100_000;
    public const int ArticlesPerListedAuthor = 20;
    public const int Coupons = 1_000;
    public const int HotCoupons = 10;

    /// <summary>Enough for any run: the contended redeem never runs out, so every completed request is a 200.</summary>
    public const int CouponInitCount = 10_000_000;

    /// <summary>Authors 1..5,000 have exactly 20 articles each, so "list 20 articles of an author" returns 20 rows (and no next page).</summary>
    public const int ListedAuthors = Articles / ArticlesPerListedAuthor;

    /// <summary>The id of coupon <paramref name="n"/> (1-based): fixed, so the load client knows the hot ones.</summary>
    public static Guid CouponId(int n) => Guid.Parse($"c0000000-0000-4000-8000-{n:D12}");

    /// <summary>Applies the reference app's migrations, exactly as its <c>MigrateOnStartup</c> would, before any app starts.</summary>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource)
    {
        var result = await Migrator.MigrateAsync(dataSource, new MigrationOptions { Source = ReferenceAppServiceCollectionExtensions.Migrations });
        return result.Steps.Count;
    }

    public static async Task SeedAsync(NpgsqlDataSource dataSource)
    {
        await ExecuteAsync(dataSource, $"""
            INSERT INTO author (id, first_name, last_name, created_at, updated_at) OVERRIDING SYSTEM VALUE
            SELECT i, 'First' || i, 'Last' || i, t, t
            FROM generate_series(1, {Authors}) AS i, LATERAL (SELECT timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute' AS t) AS times;
            SELECT setval(pg_get_serial_sequence('author', 'id'), {Authors});

            INSERT INTO article (id, author_id, title, content, created_at, updated_at) OVERRIDING SYSTEM VALUE
            SELECT i, (i - 1) / {ArticlesPerListedAuthor} + 1, 'Article ' || i, 'Article ' || i || ': ' || repeat('lorem ipsum dolor sit amet ', 4), t, t
            FROM generate_series(1, {Articles}) AS i, LATERAL (SELECT timestamptz '2024-06-01 00:00:00+00' + i * interval '1 second' AS t) AS times;
            SELECT setval(pg_get_serial_sequence('article', 'id'), {Articles});

            INSERT INTO coupon (id, code, init_count, remaining_count)
            SELECT ('c0000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'CODE' || lpad(i::text, 4, '0'), {CouponInitCount}, {CouponInitCount}
            FROM generate_series(1, {Coupons}) AS i;

            CREATE TABLE fortunes (id int PRIMARY KEY, message text NOT NULL);
            INSERT INTO fortunes (id, message) VALUES
                (1, 'fortune: No such file or directory'),
                (2, 'A computer scientist is someone who fixes things that aren''t broken.'),
                (3, 'After enough decimal places, nobody gives a damn.'),
                (4, 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1'),
                (5, 'A computer program does what you tell it to do, not what you want it to do.'),
                (6, 'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen'),
                (7, 'Any program that runs right is obsolete.'),
                (8, 'A list is only as strong as its weakest link. — Donald Knuth'),
                (9, 'Feature: A bug with seniority.'),
                (10, 'Computers make very fast, very accurate mistakes.'),
                (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
                (12, 'フレームワークのベンチマーク');
            """);
        await ExecuteAsync(dataSource, "VACUUM ANALYZE");
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 300;
        await command.ExecuteNonQueryAsync();
    }
}
