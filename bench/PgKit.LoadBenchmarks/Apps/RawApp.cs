using System.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using ReferenceApp.Features.Articles;
using ReferenceApp.Features.Authors;
using ReferenceApp.Features.Coupons;

namespace PgKit.LoadBenchmarks.Apps;

/// <summary>
/// The baseline: hand-written <see cref="NpgsqlDataSource"/> commands with positional parameters, typed
/// <see cref="NpgsqlParameter{T}"/>, <see cref="CommandBehavior.SingleRow"/> where one row is expected, readers by ordinal,
/// and <c>BeginTransactionAsync</c> / <c>CommitAsync</c> around writes.
/// </summary>
internal static class RawApp
{
    public static void AddServices(WebApplicationBuilder builder, string connectionString)
    {
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
        app.MapGet(ArticleCard.FullRoute, (long author_id, NpgsqlDataSource dataSource, CancellationToken ct) => ReadCardsAsync(dataSource, ArticleCard.FullSql, author_id, full: true, ct));
        app.MapGet(ArticleCard.BriefRoute, (long author_id, NpgsqlDataSource dataSource, CancellationToken ct) => ReadCardsAsync(dataSource, ArticleCard.BriefSql, author_id, full: false, ct));
    }

    private static async Task<List<ArticleCard>> ReadCardsAsync(NpgsqlDataSource dataSource, string sql, long authorId, bool full, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = authorId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var cards = new List<ArticleCard>(10);
        while (await reader.ReadAsync(ct))
        {
            cards.Add(new ArticleCard { Id = reader.GetInt64(0), AuthorId = reader.GetInt64(1), Title = reader.GetString(2), Content = full ? reader.GetString(3) : null });
        }

        return cards;
    }

    private static async Task<Results<Ok<Author>, ProblemHttpResult>> GetAuthor(long id, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT id, first_name, last_name, created_at, updated_at FROM author WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
        if (!await reader.ReadAsync(ct))
        {
            return Wire.NotFound("Author", id);
        }

        return TypedResults.Ok(new Author(
            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
    }

    private static async Task<Results<Ok<IReadOnlyList<Article>>, ProblemHttpResult>> ListArticles(
        [FromQuery(Name = "author_id")] long authorId, int? limit, NpgsqlDataSource dataSource, HttpContext http, CancellationToken ct)
    {
        if (Wire.CheckLimit(limit) is { } problem)
        {
            return problem;
        }

        var pageSize = limit ?? Wire.DefaultLimit;
        await using var command = dataSource.CreateCommand(
            "SELECT id, author_id, title, content, created_at, updated_at FROM article WHERE author_id = $1 ORDER BY id LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = authorId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize + 1 });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var articles = new List<Article>(pageSize + 1);
        while (await reader.ReadAsync(ct))
        {
            articles.Add(ReadArticle(reader));
        }

        return TypedResults.Ok(Wire.Page(articles, pageSize, static a => a.Id, http));
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
        await using (var command = new NpgsqlCommand(
            "INSERT INTO article (author_id, title, content) VALUES ($1, $2, $3) RETURNING id, author_id, title, content, created_at, updated_at", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = input.AuthorId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = input.Title });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = input.Content });
            try
            {
                await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
                await reader.ReadAsync(ct);
                article = ReadArticle(reader);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                return Wire.NotFound("Author", input.AuthorId);
            }
        }

        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/articles/{article.Id}", article);
    }

    private static async Task<Results<Ok<Coupon>, ProblemHttpResult>> RedeemCoupon(Guid id, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        Coupon? coupon = null;
        await using (var command = new NpgsqlCommand(
            "UPDATE coupon SET remaining_count = remaining_count - 1 WHERE id = $1 AND remaining_count > 0 RETURNING id, code, init_count, remaining_count", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
            if (await reader.ReadAsync(ct))
            {
                coupon = new Coupon(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3));
            }
        }

        if (coupon is null)
        {
            await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM coupon WHERE id = $1)", connection, transaction);
            exists.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            var found = (bool)(await exists.ExecuteScalarAsync(ct))!;
            await transaction.RollbackAsync(ct);
            return found ? Wire.Exhausted(id) : Wire.NotFound("Coupon", id);
        }

        await transaction.CommitAsync(ct);
        return TypedResults.Ok(coupon);
    }

    private static async Task<Ok<List<Fortune>>> GetFortunes(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT id, message FROM fortunes");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var fortunes = new List<Fortune>(16);
        while (await reader.ReadAsync(ct))
        {
            fortunes.Add(new Fortune { Id = reader.GetInt32(0), Message = reader.GetString(1) });
        }

        return TypedResults.Ok(Fortunes.Complete(fortunes));
    }

    private static Article ReadArticle(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5));
}
