namespace PgKit.AspNetCore.Tests.Support;

public sealed record ArticleIn(string Title);

public sealed record IdOut(int Id);
