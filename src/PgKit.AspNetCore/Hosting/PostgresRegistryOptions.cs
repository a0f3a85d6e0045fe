namespace PgKit.AspNetCore.Hosting;

/// <summary>The names of the databases registered with AddPostgres, in registration order.</summary>
internal sealed class PostgresRegistryOptions
{
    public List<string> Names { get; } = [];
}
