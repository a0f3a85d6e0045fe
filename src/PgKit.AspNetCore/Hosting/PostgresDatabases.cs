using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgKit.AspNetCore.Diagnostics;

namespace PgKit.AspNetCore.Hosting;

/// <summary>The registered databases by name (a singleton); creates each <see cref="PostgresDatabase"/> on first use.</summary>
internal sealed class PostgresDatabases(
    IOptions<PostgresRegistryOptions> registry,
    IOptionsMonitor<PostgresOptions> options,
    IEnumerable<IConnectionStringFallback> fallbacks,
    ILoggerFactory loggerFactory,
    PgKitMetrics metrics,
    IOptions<PostgresProblemDetailsOptions> problemDetails,
    IHostEnvironment? environment = null,
    IHttpContextAccessor? httpContextAccessor = null,
    Microsoft.AspNetCore.DataProtection.IDataProtectionProvider? dataProtection = null) : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<PostgresDatabase>> _databases = new(StringComparer.Ordinal);
    private readonly IConnectionStringFallback? _fallback = fallbacks.LastOrDefault(f => f.CanProvide);

    // Error bodies with details show the failed SQL, which Npgsql only reports when asked to.
    private readonly bool _reportFailedStatements = problemDetails.Value.IncludeErrorDetails ?? environment?.IsDevelopment() ?? false;

    /// <summary>Gets the registered database names in registration order.</summary>
    public IReadOnlyList<string> Names => registry.Value.Names;

    /// <summary>Gets the databases created so far.</summary>
    public IEnumerable<PostgresDatabase> Created =>
        _databases.Values.Where(static lazy => lazy.IsValueCreated).Select(static lazy => lazy.Value);

    public PostgresDatabase Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_databases.TryGetValue(name, out var created))
        {
            return created.Value; // every request's path: no scan of the registered names
        }

        if (!registry.Value.Names.Contains(name, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"No PostgreSQL database named '{name}' is registered. Call services.AddPostgres(\"{name}\", ...) " +
                $"(or services.AddPostgres(...) for the default database '{PostgresOptions.DefaultName}').");
        }

        return _databases.GetOrAdd(name, static (key, self) => new Lazy<PostgresDatabase>(
            () => new PostgresDatabase(key, self.Options.Get(key), self._fallback, self.LoggerFactory, self.Metrics, self._reportFailedStatements)
            {
                HttpContextAccessor = self.HttpContextAccessor,
                DataProtection = self.DataProtection,
            }), this).Value;
    }

    private IOptionsMonitor<PostgresOptions> Options => options;

    private ILoggerFactory LoggerFactory => loggerFactory;

    /// <summary>Gets the app's own IHttpContextAccessor, when it registered one (PgKit does not), resolved once rather than per request.</summary>
    private IHttpContextAccessor? HttpContextAccessor => httpContextAccessor;

    private PgKitMetrics Metrics => metrics;

    /// <summary>Gets the app's Data Protection, when it registered it, to sign read-your-writes tokens with its shared key ring.</summary>
    private Microsoft.AspNetCore.DataProtection.IDataProtectionProvider? DataProtection => dataProtection;

    public async ValueTask DisposeAsync()
    {
        foreach (var database in Created.ToArray())
        {
            await database.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        foreach (var database in Created.ToArray())
        {
            database.Dispose();
        }
    }
}
