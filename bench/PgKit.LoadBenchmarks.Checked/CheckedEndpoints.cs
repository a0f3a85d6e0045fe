using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using PgKit.AspNetCore;
using PgKit.LoadBenchmarks.Apps;
using ReferenceApp.Features.Articles;
using ReferenceApp.Features.Authors;
using ReferenceApp.Features.Coupons;

namespace PgKit.LoadBenchmarks.Checked;

/// <summary>
/// The routes of the benchmark's work items written with PgKit's raw-SQL helpers and constant SQL: each statement is in
/// pgkit-sql.json, so the build checks it and the generator emits its row reader, which <c>FetchAsync</c> and
/// <c>FetchRowAsync</c> then use instead of the reflection mapper. The SQL is the raw variant's, statement for statement.
/// </summary>
public static class CheckedEndpoints
{
    private const string AuthorSql = "SELECT id, first_name, last_name, created_at, updated_at FROM author WHERE id = $1";
    private const string ArticlesSql = "SELECT id, author_id, title, content, created_at, updated_at FROM article WHERE author_id = $1 ORDER BY id LIMIT $2";
    private const string InsertArticleSql =
        "INSERT INTO article (author_id, title, content) VALUES ($1, $2, $3) RETURNING id, author_id, title, content, created_at, updated_at";

    private const string RedeemSql = "UPDATE coupon SET remaining_count = remaining_count - 1 WHERE id = $1 AND remaining_count > 0 RETURNING id, code, init_count, remaining_count";
    private const string CouponExistsSql = "SELECT EXISTS (SELECT 1 FROM coupon WHERE id = $1)";
    private const string FullCardsSql = "SELECT id, author_id, title, content FROM article WHERE author_id = $1 ORDER BY id LIMIT 10";
    // The brief shape names its missing column (NULL) rather than leave it out: checked SQL fills every member from a column (PGK1004).
    private const string BriefCardsSql = "SELECT id, author_id, title, NULL::text AS content FROM article WHERE author_id = $1 ORDER BY id LIMIT 10";

    /// <summary>Maps <c>/authors/{id}</c>, <c>/articles</c> (GET and POST), <c>/v1/coupons/{id}/redeem</c> and the mixed-shape routes.</summary>
    /// <param name="app">The app.</param>
    /// <param name="fullCardsRoute">The mixed-shape item's route with content.</param>
    /// <param name="briefCardsRoute">The mixed-shape item's route without content.</param>
    public static void Map(IEndpointRouteBuilder app, string fullCardsRoute, string briefCardsRoute)
    {
        app.MapGet("/authors/{id}", GetAuthor);
        app.MapGet("/articles", ListArticles);
        app.MapPost("/articles", CreateArticle);
        app.MapPost("/v1/coupons/{id}/redeem", RedeemCoupon);
        app.MapGet(fullCardsRoute, (long author_id, Db db, CancellationToken ct) => db.FetchAsync<CheckedArticleCard>(FullCardsSql, [author_id], ct));
        app.MapGet(briefCardsRoute, (long author_id, Db db, CancellationToken ct) => db.FetchAsync<CheckedArticleCard>(BriefCardsSql, [author_id], ct));
    }

    private static async Task<Results<Ok<Author>, ProblemHttpResult>> GetAuthor(long id, Db db, CancellationToken ct) =>
        await db.FetchRowAsync<Author>(AuthorSql, [id], ct) is { } author ? TypedResults.Ok(author) : Wire.NotFound("Author", id);

    private static async Task<Results<Ok<IReadOnlyList<Article>>, ProblemHttpResult>> ListArticles(
        [FromQuery(Name = "author_id")] long authorId, int? limit, Db db, HttpContext http, CancellationToken ct)
    {
        if (Wire.CheckLimit(limit) is { } problem)
        {
            return problem;
        }

        var pageSize = limit ?? Wire.DefaultLimit;
        var articles = await db.FetchAsync<Article>(ArticlesSql, [authorId, pageSize + 1], ct);
        return TypedResults.Ok(Wire.Page((List<Article>)articles, pageSize, static a => a.Id, http));
    }

    private static async Task<Results<Created<Article>, ProblemHttpResult>> CreateArticle(ArticleIn input, Atomic db, CancellationToken ct)
    {
        if (Wire.Check(input) is { } problem)
        {
            return problem;
        }

        try
        {
            var article = (await db.FetchRowAsync<Article>(InsertArticleSql, [input.AuthorId, input.Title, input.Content], ct))!;
            return TypedResults.Created($"/articles/{article.Id}", article);
        }
        catch (PostgresException e) when (e.IsForeignKeyViolation())
        {
            // As the reference app: the transaction is aborted, so the 404 is thrown and PgKit rolls back and answers.
            throw new NotFoundException("Author", input.AuthorId);
        }
    }

    private static async Task<Results<Ok<Coupon>, ProblemHttpResult>> RedeemCoupon(Guid id, Atomic db, CancellationToken ct)
    {
        if (await db.FetchRowAsync<Coupon>(RedeemSql, [id], ct) is { } coupon)
        {
            return TypedResults.Ok(coupon);
        }

        return await db.FetchValueAsync<bool>(CouponExistsSql, [id], ct) ? Wire.Exhausted(id) : Wire.NotFound("Coupon", id);
    }
}
