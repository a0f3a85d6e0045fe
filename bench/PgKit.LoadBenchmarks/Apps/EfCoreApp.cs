using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ReferenceApp.Features.Articles;
using ReferenceApp.Features.Authors;
using ReferenceApp.Features.Coupons;

namespace PgKit.LoadBenchmarks.Apps;

/// <summary>
/// EF Core with the Npgsql provider: a pooled <see cref="DbContext"/>, LINQ reads with <c>AsNoTracking</c>, <c>Add</c> +
/// <c>SaveChangesAsync</c> in an explicit transaction to create, and the coupon's conditional decrement as
/// <c>FromSql(UPDATE ... RETURNING)</c> in an explicit transaction, so that all four variants send the same statement.
/// </summary>
internal static class EfCoreApp
{
    public static void AddServices(WebApplicationBuilder builder, string connectionString)
    {
        builder.Services.AddDbContextPool<BenchContext>(options => options.UseNpgsql(connectionString));

        // EF Core logs as errors a failed command (the verification's 404 for an unknown author) and every request that the load
        // client abandons mid-transaction when a slice ends; the other data layers log neither. Failures still count: the load
        // client reports every non-2xx response.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Update", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database", LogLevel.None);
        Wire.UseReferenceJson(builder.Services);
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/authors/{id}", GetAuthor);
        app.MapGet("/articles", ListArticles);
        app.MapPost("/articles", CreateArticle);
        app.MapPost("/v1/coupons/{id}/redeem", RedeemCoupon);
        app.MapGet("/fortunes", GetFortunes);
        app.MapGet(ArticleCard.FullRoute, (long author_id, BenchContext db, CancellationToken ct) => db.Articles.AsNoTracking()
            .Where(a => a.AuthorId == author_id).OrderBy(a => a.Id).Take(10)
            .Select(a => new ArticleCard { Id = a.Id, AuthorId = a.AuthorId, Title = a.Title, Content = a.Content })
            .ToListAsync(ct));
        app.MapGet(ArticleCard.BriefRoute, (long author_id, BenchContext db, CancellationToken ct) => db.Articles.AsNoTracking()
            .Where(a => a.AuthorId == author_id).OrderBy(a => a.Id).Take(10)
            .Select(a => new ArticleCard { Id = a.Id, AuthorId = a.AuthorId, Title = a.Title })
            .ToListAsync(ct));
    }

    private static async Task<Results<Ok<Author>, ProblemHttpResult>> GetAuthor(long id, BenchContext db, CancellationToken ct) =>
        await db.Authors.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is { } author
            ? TypedResults.Ok(author)
            : Wire.NotFound("Author", id);

    private static async Task<Results<Ok<IReadOnlyList<Article>>, ProblemHttpResult>> ListArticles(
        [FromQuery(Name = "author_id")] long authorId, int? limit, BenchContext db, HttpContext http, CancellationToken ct)
    {
        if (Wire.CheckLimit(limit) is { } problem)
        {
            return problem;
        }

        var pageSize = limit ?? Wire.DefaultLimit;
        var articles = await db.Articles.AsNoTracking()
            .Where(a => a.AuthorId == authorId)
            .OrderBy(a => a.Id)
            .Take(pageSize + 1)
            .ToListAsync(ct);
        return TypedResults.Ok(Wire.Page(articles, pageSize, static a => a.Id, http));
    }

    private static async Task<Results<Created<Article>, ProblemHttpResult>> CreateArticle(ArticleIn input, BenchContext db, CancellationToken ct)
    {
        if (Wire.Check(input) is { } problem)
        {
            return problem;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var article = new Article(0, input.AuthorId, input.Title, input.Content, default, default);
        db.Articles.Add(article);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
        {
            return Wire.NotFound("Author", input.AuthorId);
        }

        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/articles/{article.Id}", article);
    }

    private static async Task<Results<Ok<Coupon>, ProblemHttpResult>> RedeemCoupon(Guid id, BenchContext db, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var redeemed = await db.Coupons
            .FromSql($"UPDATE coupon SET remaining_count = remaining_count - 1 WHERE id = {id} AND remaining_count > 0 RETURNING id, code, init_count, remaining_count")
            .AsNoTracking()
            .ToListAsync(ct);
        if (redeemed.Count == 0)
        {
            var found = await db.Coupons.AnyAsync(c => c.Id == id, ct);
            await transaction.RollbackAsync(ct);
            return found ? Wire.Exhausted(id) : Wire.NotFound("Coupon", id);
        }

        await transaction.CommitAsync(ct);
        return TypedResults.Ok(redeemed[0]);
    }

    private static async Task<Ok<List<Fortune>>> GetFortunes(BenchContext db, CancellationToken ct) =>
        TypedResults.Ok(Fortunes.Complete(await db.Fortunes.AsNoTracking().ToListAsync(ct)));
}

/// <summary>The EF Core model of the reference app's tables (and the bench's fortunes), mapped by hand to their snake_case names.</summary>
internal sealed class BenchContext(DbContextOptions<BenchContext> options) : DbContext(options)
{
    public DbSet<Author> Authors => Set<Author>();

    public DbSet<Article> Articles => Set<Article>();

    public DbSet<Coupon> Coupons => Set<Coupon>();

    public DbSet<Fortune> Fortunes => Set<Fortune>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Author>(e =>
        {
            e.ToTable("author");
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.FirstName).HasColumnName("first_name");
            e.Property(x => x.LastName).HasColumnName("last_name");
            e.Property(x => x.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at").HasDefaultValueSql("now()");
        });
        modelBuilder.Entity<Article>(e =>
        {
            e.ToTable("article");
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.AuthorId).HasColumnName("author_id");
            e.Property(x => x.Title).HasColumnName("title");
            e.Property(x => x.Content).HasColumnName("content");
            e.Property(x => x.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at").HasDefaultValueSql("now()");
        });
        modelBuilder.Entity<Coupon>(e =>
        {
            e.ToTable("coupon");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Code).HasColumnName("code");
            e.Property(x => x.InitCount).HasColumnName("init_count");
            e.Property(x => x.RemainingCount).HasColumnName("remaining_count");
        });
        modelBuilder.Entity<Fortune>(e =>
        {
            e.ToTable("fortunes");
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.Message).HasColumnName("message");
        });
    }
}
