using System.Text.Json;
using Npgsql;
using PgKit.Embedded;

namespace PgKit.Cli;

/// <summary>
/// Finds the database a command talks to: <c>--connection</c>, then <c>PGKIT_CONNECTION</c>, then <c>DATABASE_URL</c>,
/// then <c>ConnectionStrings__Postgres</c> (the variable an ASP.NET Core app reads as <c>ConnectionStrings:Postgres</c>),
/// then <c>ConnectionStrings:Postgres</c> of the app's appsettings files in the project folder (see
/// <see cref="ProjectFolder"/>; the current folder unless told otherwise), then the running embedded server of that folder.
/// </summary>
internal static class ConnectionResolver
{
    public const string HowToProvide =
        "pass --connection, set PGKIT_CONNECTION, DATABASE_URL or ConnectionStrings__Postgres, put ConnectionStrings:Postgres in appsettings.json, or start the embedded server with 'pgkit db start'";

    // Environment variables in order. ConnectionStrings__Postgres comes after the tool's own and before the files, as
    // in the app: ASP.NET Core's environment variables override its appsettings files.
    private static readonly string[] Variables = ["PGKIT_CONNECTION", "DATABASE_URL", "ConnectionStrings__Postgres"];

    /// <summary>The connection string and where it came from, or <see langword="null"/> when nothing provides one.</summary>
    public static (string ConnectionString, string Origin)? TryResolve(string? option, CliContext context, string? projectDirectory = null)
    {
        var project = projectDirectory ?? context.WorkingDirectory;
        if (!string.IsNullOrWhiteSpace(option))
        {
            return (ToConnectionString(option, "--connection"), "--connection");
        }

        foreach (var variable in Variables)
        {
            if (context.GetVariable(variable) is { Length: > 0 } value)
            {
                return (ToConnectionString(value, variable), variable);
            }
        }

        // The Development file wins over the base one, as in an app running in Development.
        foreach (var file in new[] { "appsettings.Development.json", "appsettings.json" })
        {
            var path = Path.Combine(project, file);
            if (File.Exists(path) && ReadConnectionString(path) is { } fromFile)
            {
                return (ToConnectionString(fromFile, file), file + " (ConnectionStrings:Postgres)");
            }
        }

        var folder = PostgresServerOptions.ForProject(project).DataDirectory!;
        if (PostgresServer.FindRunning(folder) is { } running)
        {
            // As the app role, which owns the app's database, so that what a migration creates belongs to the app.
            return (running.GetAppConnectionString("postgres"), "the embedded server of the project folder");
        }

        return null;
    }

    public static (string ConnectionString, string Origin) Resolve(string? option, CliContext context, string? projectDirectory = null) =>
        TryResolve(option, context, projectDirectory) ?? throw new CliException($"No database to connect to: {HowToProvide}.");

    /// <summary>Accepts an Npgsql connection string or a <c>postgres://</c> / <c>postgresql://</c> URL.</summary>
    public static string ToConnectionString(string value, string origin)
    {
        value = value.Trim();
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return FromUrl(value, origin);
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(value).ConnectionString;
        }
        catch (ArgumentException e)
        {
            throw new CliException($"The connection string from {origin} is not valid: {e.Message}", ExitCodes.Failed, e);
        }
    }

    /// <summary>Converts a libpq-style URL, <c>postgres://user:password@host:port/database?sslmode=require</c>, to an Npgsql connection string.</summary>
    public static string FromUrl(string url, string origin)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new CliException($"The URL from {origin} is not valid; use postgres://user:password@host:port/database.");
        }

        var builder = new NpgsqlConnectionStringBuilder();
        if (uri.Host.Length > 0)
        {
            builder.Host = uri.Host.Trim('[', ']');
        }

        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = Uri.UnescapeDataString(eq < 0 ? string.Empty : pair[(eq + 1)..].Replace('+', ' '));
            ApplyParameter(builder, key, value, origin);
        }

        return builder.ConnectionString;
    }

    private static void ApplyParameter(NpgsqlConnectionStringBuilder builder, string key, string value, string origin)
    {
        switch (key.ToLowerInvariant())
        {
            case "sslmode":
                builder.SslMode = value.ToLowerInvariant() switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw new CliException($"The URL from {origin} has sslmode={value}; use disable, allow, prefer, require, verify-ca or verify-full."),
                };
                break;
            case "host":
                builder.Host = value; // a unix-socket folder, as libpq allows
                break;
            case "port":
                builder.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "user":
                builder.Username = value;
                break;
            case "password":
                builder.Password = value;
                break;
            case "dbname":
                builder.Database = value;
                break;
            case "application_name":
                builder.ApplicationName = value;
                break;
            case "connect_timeout":
                builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "options":
                builder.Options = value;
                break;
            case "sslrootcert":
                builder.RootCertificate = value;
                break;
            case "sslcert":
                builder.SslCertificate = value;
                break;
            case "sslkey":
                builder.SslKey = value;
                break;
            case "target_session_attrs":
                builder.TargetSessionAttributes = value;
                break;
            default:
                // Anything Npgsql itself understands (Pooling, Maximum Pool Size, ...) passes through.
                try
                {
                    builder[key] = value;
                }
                catch (ArgumentException)
                {
                    throw new CliException($"The URL from {origin} has the parameter '{key}', which pgkit does not know.");
                }

                break;
        }
    }

    private static string? ReadConnectionString(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("ConnectionStrings", out var strings)
                && strings.ValueKind == JsonValueKind.Object
                && strings.TryGetProperty("Postgres", out var postgres)
                && postgres.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(postgres.GetString()))
            {
                return postgres.GetString();
            }

            return null;
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not valid JSON ({e.Message}).", ExitCodes.Failed, e);
        }
    }
}
