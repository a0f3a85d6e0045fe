using Microsoft.AspNetCore.Http.HttpResults;
using PgKit.AspNetCore;
using PgKit.LoadBenchmarks.Checked;

namespace PgKit.LoadBenchmarks.Apps;

/// <summary>
/// <c>pgkit-checked</c> (diagnostic, with <c>--variants</c>): the reference app's services (the same <c>Db</c>, pool and
/// JSON options as <c>pgkit</c>) serving each work item with constant SQL through <c>FetchAsync</c> / <c>FetchRowAsync</c>,
/// read by the row readers PgKit generates from bench/PgKit.LoadBenchmarks.Checked/pgkit-sql.json. <c>/fortunes</c> is
/// the pgkit variant's (the bench-only table is not in the reference app's migrations, so its SQL cannot be checked).
/// </summary>
internal static class PgKitCheckedApp
{
    public const string Name = "pgkit-checked";

    public static void AddServices(WebApplicationBuilder builder, string connectionString) => PgKitApp.AddServices(builder, connectionString);

    public static void Map(WebApplication app)
    {
        CheckedEndpoints.Map(app, ArticleCard.FullRoute, ArticleCard.BriefRoute);
        app.MapGet("/fortunes", static async Task<Ok<List<Fortune>>> (Db db, CancellationToken ct) =>
            TypedResults.Ok(Fortunes.Complete(await db.SelectAsync<Fortune>("fortunes", cancellationToken: ct))));
    }
}
