using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using ReferenceApp.Features.Articles;
using ReferenceApp.Features.Authors;
using ReferenceApp.Features.Coupons;

namespace PgKit.LoadBenchmarks.Apps;

/// <summary>Dapper: hand-written SQL with named parameters, a connection opened per request, a manual transaction for writes.</summary>
internal static class DapperApp
{
    public static void AddServices(WebApplicationBuilder builder, string connectionString)
    {
        // first_name -> FirstName: Dapper's usual setting (this process runs no other data layer).
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        // Npgsql reads timestamptz as a UTC DateTime; the reference app's records hold DateTimeOffset. The usual Dapper answer.
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        Wire.UseReferenceJson(builder.Services);
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/authors/{id}", GetAuthor);
        app.MapGet("/articles", ListArticles);
        app.MapPost("/articles", CreateArticle);
        app.MapPost("/v1/coupons/{id}/redeem", RedeemCoupon);
        app.MapGet("/fortunes", GetFortunes);
        app.MapGet(ArticleCard.FullRoute, (long author_id, NpgsqlDataSource dataSource, CancellationToken ct) => ReadCardsAsync(dataSource, FullSql, author_id, ct));
        app.MapGet(ArticleCard.BriefRoute, (long author_id, NpgsqlDataSource dataSource, CancellationToken ct) => ReadCardsAsync(dataSource, BriefSql, author_id, ct));
    }

    private static readonly string FullSql = ArticleCard.Named(ArticleCard.FullSql);
    private static readonly string BriefSql = ArticleCard.Named(ArticleCard.BriefSql);

    private static async Task<List<ArticleCard>> ReadCardsAsync(NpgsqlDataSource dataSource, string sql, long authorId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var cards = await connection.QueryAsync<ArticleCard>(new CommandDefinition(sql, new { authorId }, cancellationToken: ct));
        return cards.AsList();
    }

    private static async Task<Results<Ok<Author>, ProblemHttpResult>> GetAuthor(long id, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var author = await connection.QuerySingleOrDefaultAsync<Author>(new CommandDefinition(
            "SELECT id, first_name, last_name, created_at, updated_at FROM author WHERE id = @id", new { id }, cancellationToken: ct));
        return author is null ? Wire.NotFound("Author", id) : TypedResults.Ok(author);
    }

    private static async Task<Results<Ok<IReadOnlyList<Article>>, ProblemHttpResult>> ListArticles(
        [FromQuery(Name = "author_id")] long authorId, int? limit, NpgsqlDataSource dataSource, HttpContext http, CancellationToken ct)
    {
        if (Wire.CheckLimit(limit) is { } problem)
        {
            return problem;
        }

        var pageSize = limit ?? Wire.DefaultLimit;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var articles = await connection.QueryAsync<Article>(new CommandDefinition(
            "SELECT id, author_id, title, content, created_at, updated_at FROM article WHERE author_id = @authorId ORDER BY id LIMIT @take",
            new { authorId, take = pageSize + 1 },
            cancellationToken: ct));
        return TypedResults.Ok(Wire.Page(articles.AsList(), pageSize, static a => a.Id, http));
    }

    private static async Task<Results<Created<Article>, ProblemHttpResult>> CreateArticle(ArticleIn input, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (Wire.Check(input) is { } problem)
        {
            return problem;
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        Article article;
        try
        {
            article = await connection.QuerySingleAsync<Article>(new CommandDefinition(
                "INSERT INTO article (author_id, title, content) VALUES (@AuthorId, @Title, @Content) RETURNING id, author_id, title, content, created_at, updated_at",
                input,
                transaction,
                cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return Wire.NotFound("Author", input.AuthorId);
        }

        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/articles/{article.Id}", article);
    }

    private static async Task<Results<Ok<Coupon>, ProblemHttpResult>> RedeemCoupon(Guid id, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var coupon = await connection.QuerySingleOrDefaultAsync<Coupon>(new CommandDefinition(
            "UPDATE coupon SET remaining_count = remaining_count - 1 WHERE id = @id AND remaining_count > 0 RETURNING id, code, init_count, remaining_count",
            new { id },
            transaction,
            cancellationToken: ct));
        if (coupon is null)
        {
            var found = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM coupon WHERE id = @id)", new { id }, transaction, cancellationToken: ct));
            await transaction.RollbackAsync(ct);
            return found ? Wire.Exhausted(id) : Wire.NotFound("Coupon", id);
        }

        await transaction.CommitAsync(ct);
        return TypedResults.Ok(coupon);
    }

    private static async Task<Ok<List<Fortune>>> GetFortunes(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var fortunes = await connection.QueryAsync<Fortune>(new CommandDefinition("SELECT id, message FROM fortunes", cancellationToken: ct));
        return TypedResults.Ok(Fortunes.Complete(fortunes.AsList()));
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override DateTimeOffset Parse(object value) => value is DateTime utc ? new DateTimeOffset(utc) : (DateTimeOffset)value;

        public override void SetValue(System.Data.IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value;
    }
}
