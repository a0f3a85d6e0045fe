using Npgsql;
using PgKit.Cli.Tests.Support;

namespace PgKit.Cli.Tests;

public sealed class ConnectionResolverTests
{
    [Fact]
    public void FromUrl_DecodesUserPasswordHostPortDatabaseAndSslMode()
    {
        var cs = ConnectionResolver.FromUrl("postgres://app%40corp:p%40ss%3Aw%2Frd@db.example.com:6543/my%20db?sslmode=verify-full&application_name=api", "DATABASE_URL");

        var b = new NpgsqlConnectionStringBuilder(cs);
        Assert.Equal("app@corp", b.Username);
        Assert.Equal("p@ss:w/rd", b.Password);
        Assert.Equal("db.example.com", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("my db", b.Database);
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal("api", b.ApplicationName);
    }

    [Fact]
    public void FromUrl_PostgresqlScheme_DefaultPort_NoPassword()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionResolver.FromUrl("postgresql://postgres@localhost/app", "x"));

        Assert.Equal("localhost", b.Host);
        Assert.Equal(5432, b.Port);
        Assert.Equal("postgres", b.Username);
        Assert.Null(b.Password);
        Assert.Equal("app", b.Database);
    }

    [Fact]
    public void FromUrl_BadSslMode_IsOneClearSentence()
    {
        var e = Assert.Throws<CliException>(() => ConnectionResolver.FromUrl("postgres://u@h/db?sslmode=sometimes", "DATABASE_URL"));

        Assert.Contains("sslmode=sometimes", e.Message);
        Assert.Contains("verify-full", e.Message);
    }

    [Fact]
    public void Resolve_Order_OptionThenPgkitConnectionThenDatabaseUrlThenAppsettings()
    {
        var folder = Tool.NewFolder();
        try
        {
            File.WriteAllText(Path.Combine(folder, "appsettings.json"), """{ "ConnectionStrings": { "Postgres": "Host=from-base;Database=a" } }""");
            File.WriteAllText(Path.Combine(folder, "appsettings.Development.json"), """{ /* dev */ "ConnectionStrings": { "Postgres": "Host=from-dev;Database=a", }, }""");
            var env = new Dictionary<string, string> { ["PGKIT_CONNECTION"] = "Host=from-pgkit", ["DATABASE_URL"] = "postgres://u@from-url/db" };

            Assert.Equal("from-option", HostOf(ConnectionResolver.Resolve("Host=from-option", Context(folder, env))));
            Assert.Equal("from-pgkit", HostOf(ConnectionResolver.Resolve(null, Context(folder, env))));
            env.Remove("PGKIT_CONNECTION");
            Assert.Equal("from-url", HostOf(ConnectionResolver.Resolve(null, Context(folder, env))));
            env.Clear();
            Assert.Equal("from-dev", HostOf(ConnectionResolver.Resolve(null, Context(folder, env))));
            File.Delete(Path.Combine(folder, "appsettings.Development.json"));
            Assert.Equal("from-base", HostOf(ConnectionResolver.Resolve(null, Context(folder, env))));
            File.Delete(Path.Combine(folder, "appsettings.json"));

            var e = Assert.Throws<CliException>(() => { ConnectionResolver.Resolve(null, Context(folder, env)); });
            Assert.StartsWith("No database to connect to", e.Message);
            Assert.Contains("DATABASE_URL", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Resolve_AspNetCoreVariable_ComesAfterDatabaseUrl_AndBeforeAppsettings()
    {
        var folder = Tool.NewFolder();
        try
        {
            File.WriteAllText(Path.Combine(folder, "appsettings.json"), """{ "ConnectionStrings": { "Postgres": "Host=from-file;Database=a" } }""");
            var env = new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://u@from-url/db", ["ConnectionStrings__Postgres"] = "Host=from-aspnet;Database=app" };

            Assert.Equal("from-url", HostOf(ConnectionResolver.Resolve(null, Context(folder, env))));
            env.Remove("DATABASE_URL");
            var resolved = ConnectionResolver.Resolve(null, Context(folder, env));
            Assert.Equal("from-aspnet", HostOf(resolved));
            Assert.Equal("ConnectionStrings__Postgres", resolved.Origin);

            // The URL form is accepted there too, and an empty value is skipped.
            env["ConnectionStrings__Postgres"] = "postgresql://app@from-aspnet-url:6543/shop";
            Assert.Equal("from-aspnet-url", HostOf(ConnectionResolver.Resolve(null, Context(folder, env))));
            env["ConnectionStrings__Postgres"] = "";
            Assert.Equal("from-file", HostOf(ConnectionResolver.Resolve(null, Context(folder, env))));

            File.Delete(Path.Combine(folder, "appsettings.json"));
            env.Clear();
            var e = Assert.Throws<CliException>(() => { ConnectionResolver.Resolve(null, Context(folder, env)); });
            Assert.Contains("ConnectionStrings__Postgres", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Resolve_BadAspNetCoreVariable_NamesTheVariable()
    {
        var folder = Tool.NewFolder();
        try
        {
            var env = new Dictionary<string, string> { ["ConnectionStrings__Postgres"] = "Host=x;NoSuchKeyword=1" };
            var e = Assert.Throws<CliException>(() => { ConnectionResolver.Resolve(null, Context(folder, env)); });
            Assert.Contains("ConnectionStrings__Postgres", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static CliContext Context(string folder, Dictionary<string, string> env) =>
        new(folder, n => env.TryGetValue(n, out var v) ? v : null, TextWriter.Null, TextWriter.Null);

    private static string? HostOf((string ConnectionString, string Origin) resolved) => new NpgsqlConnectionStringBuilder(resolved.ConnectionString).Host;
}
