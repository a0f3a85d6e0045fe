using Microsoft.AspNetCore.Http.HttpResults;
using PgKit.AspNetCore;
using ReferenceApp;
using ReferenceApp.Features.Articles;
using ReferenceApp.Features.Authors;
using ReferenceApp.Features.Coupons;

namespace PgKit.LoadBenchmarks.Apps;

/// <summary>
/// PgKit: the reference app itself (samples/ReferenceApp), composed exactly as its Program.cs composes it
/// (<c>AddReferenceApp</c> + <c>MapReferenceApp</c>), plus the bench-only <c>/fortunes</c> written the PgKit way.
/// </summary>
internal static class PgKitApp
{
    public static void AddServices(WebApplicationBuilder builder, string connectionString)
    {
        _ = connectionString; // the reference app reads ConnectionStrings:Postgres (set in this process's environment)
        builder.Services.AddReferenceApp(builder.Configuration);
    }

    public static void Map(WebApplication app)
    {
        app.MapReferenceApp();
        MapBenchOnly(app);
    }

    /// <summary>Diagnostic: the same route groups and services, without the reference app's docs, health and status-code pages.</summary>
    public static void MapLean(WebApplication app)
    {
        app.MapAuthors();
        app.MapArticles();
        app.MapCoupons();
        MapBenchOnly(app);
    }

    private static void MapBenchOnly(WebApplication app)
    {
        app.MapGet("/fortunes", GetFortunes);
        app.MapGet(ArticleCard.FullRoute, (long author_id, Db db, CancellationToken ct) => db.FetchAsync<ArticleCard>(ArticleCard.FullSql, [author_id], ct));
        app.MapGet(ArticleCard.BriefRoute, (long author_id, Db db, CancellationToken ct) => db.FetchAsync<ArticleCard>(ArticleCard.BriefSql, [author_id], ct));
    }

    private static async Task<Ok<List<Fortune>>> GetFortunes(Db db, CancellationToken ct) =>
        TypedResults.Ok(Fortunes.Complete(await db.SelectAsync<Fortune>("fortunes", cancellationToken: ct)));
}
