using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using PgKit.Migrations;

namespace PgKit.Testing;

/// <summary>
/// A database with the schema (and seed data) every test starts from, built once per run and copied for each test
/// database with <c>CREATE DATABASE ... TEMPLATE</c>, which takes milliseconds where migrating takes seconds.
/// </summary>
/// <remarks>
/// Its name carries a hash of what built it (<see cref="PostgresTestOptions"/>), so on an external server
/// (<see cref="TestPostgres.ConnectionVariable"/>) a template from an earlier run is reused while nothing changed, and
/// a changed migration builds a new one (the outdated one is dropped). Builders in concurrent processes take an
/// advisory lock, so each template is built once.
/// </remarks>
public sealed class TestDatabaseTemplate
{
    private const string CommentPrefix = "pgkit-template ";
    private static readonly ConcurrentDictionary<(string Server, string Hash), Lazy<Task<TestDatabaseTemplate>>> Built = new();
    private static int clones;

    private TestDatabaseTemplate(TestPostgres server, string name, string hash, bool reused)
    {
        Server = server;
        Name = name;
        Hash = hash;
        WasReused = reused;
    }

    /// <summary>Gets the server the template lives on.</summary>
    public TestPostgres Server { get; }

    /// <summary>Gets the template database's name, <c>pgkit_tpl_</c> and the first 16 hex digits of <see cref="Hash"/>.</summary>
    public string Name { get; }

    /// <summary>Gets the SHA-256 (hex) of what built the template.</summary>
    public string Hash { get; }

    /// <summary>Gets whether a complete template with the same hash was already on the server (built by an earlier run).</summary>
    public bool WasReused { get; }

    /// <summary>Returns the template for the options, building it on first use in this process.</summary>
    /// <param name="server">The server, usually <see cref="TestPostgres.SharedAsync"/>.</param>
    /// <param name="options">What the template contains.</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    /// <returns>The template.</returns>
    /// <exception cref="MigrationException">A migration failed; the message names the file and line.</exception>
    public static async Task<TestDatabaseTemplate> GetAsync(TestPostgres server, PostgresTestOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        var key = (server.ConnectionString, ComputeHash(options));
        var lazy = Built.GetOrAdd(key, static (key, state) => new Lazy<Task<TestDatabaseTemplate>>(
            () => BuildAsync(state.Server, state.Options, key.Hash)), (Server: server, Options: options)).Value;
        try
        {
            return await lazy.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.IsFaulted)
        {
            // A failed build is not remembered: the next test builds again and reports its own error.
            Built.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>Creates a new database as a copy of the template.</summary>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>The new database; dispose it to drop it.</returns>
    public async Task<TestDatabase> CloneAsync(CancellationToken cancellationToken = default)
    {
        var name = "pgkit_test_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_" +
                   Interlocked.Increment(ref clones).ToString(CultureInfo.InvariantCulture);
        await Server.ExecuteAsync(
            "CREATE DATABASE " + PgIdentifier.Quote(name) + " TEMPLATE " + PgIdentifier.Quote(Name), cancellationToken).ConfigureAwait(false);
        return new TestDatabase(Server, name);
    }

    internal static string ComputeHash(PostgresTestOptions options)
    {
        var text = new StringBuilder("pgkit-template/1\n");
        if (options.Migrations is { } source)
        {
            foreach (var migration in source.Load())
            {
                text.Append(CultureInfo.InvariantCulture, $"m {migration.Version} {migration.Name} {migration.Checksum} {migration.IsTransactional}\n");
            }
        }

        if (options.Seed is { } seed)
        {
            // The method's identity and its module's build id: rebuilding the test assembly rebuilds the template.
            var method = seed.Method;
            text.Append(CultureInfo.InvariantCulture, $"s {method.DeclaringType?.AssemblyQualifiedName} {method.Name} {method.Module.ModuleVersionId}\n");
        }

        text.Append("v ").Append(options.SeedVersion).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static async Task<TestDatabaseTemplate> BuildAsync(TestPostgres server, PostgresTestOptions options, string hash)
    {
        // Shared by every test that asks for it, so no one test's cancellation may stop it.
        var cancellationToken = CancellationToken.None;
        var name = "pgkit_tpl_" + hash[..16];
        var lineage = ComputeLineage(options);
        var marker = CommentPrefix + hash + " " + lineage;
        var admin = new NpgsqlConnection(server.GetUnpooledConnectionString("postgres"));
        await using (admin.ConfigureAwait(false))
        {
            await admin.OpenAsync(cancellationToken).ConfigureAwait(false);

            // Another test process on the same (external) server may be building the same template.
            await admin.ExecuteSqlAsync("SELECT pg_advisory_lock($1)", [long.Parse(hash[..15], NumberStyles.HexNumber, CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
            var comment = await admin.FetchValueAsync<string>(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", [name], cancellationToken).ConfigureAwait(false);
            if (comment is { } ready && ready.StartsWith(CommentPrefix + hash, StringComparison.Ordinal))
            {
                return new TestDatabaseTemplate(server, name, hash, reused: true);
            }

            // Absent, or a build that died half way: start over.
            await admin.ExecuteSqlAsync("DROP DATABASE IF EXISTS " + PgIdentifier.Quote(name) + " WITH (FORCE)", cancellationToken: cancellationToken).ConfigureAwait(false);
            await admin.ExecuteSqlAsync("CREATE DATABASE " + PgIdentifier.Quote(name), cancellationToken: cancellationToken).ConfigureAwait(false);
            await FillAsync(server.GetUnpooledConnectionString(name), options, cancellationToken).ConfigureAwait(false);

            // The comment marks the template complete; IS_TEMPLATE keeps it from being dropped by accident.
            await admin.ExecuteSqlAsync("ALTER DATABASE " + PgIdentifier.Quote(name) + " IS_TEMPLATE true", cancellationToken: cancellationToken).ConfigureAwait(false);
            await admin.ExecuteSqlAsync("COMMENT ON DATABASE " + PgIdentifier.Quote(name) + " IS " + Literal(marker), cancellationToken: cancellationToken).ConfigureAwait(false);
            await DropOutdatedAsync(admin, name, lineage, cancellationToken).ConfigureAwait(false);
            return new TestDatabaseTemplate(server, name, hash, reused: false);
        }
    }

    /// <summary>What the template is of (the migration source and the seed method), without its contents: templates of one lineage replace each other.</summary>
    private static string ComputeLineage(PostgresTestOptions options)
    {
        var text = options.Migrations?.Description + "|" + options.Seed?.Method.DeclaringType?.FullName + "." + options.Seed?.Method.Name;
        return "lineage=" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>Drops the older templates of the same lineage an external server keeps from earlier runs; one in use by a clone is left for later.</summary>
    private static async Task DropOutdatedAsync(NpgsqlConnection admin, string current, string lineage, CancellationToken cancellationToken)
    {
        var outdated = await admin.FetchAsync<string>(
            "SELECT datname FROM pg_database WHERE datname <> $1 AND shobj_description(oid, 'pg_database') LIKE $2",
            [current, CommentPrefix + "% " + lineage],
            cancellationToken).ConfigureAwait(false);
        foreach (var name in outdated)
        {
            try
            {
                await admin.ExecuteSqlAsync("ALTER DATABASE " + PgIdentifier.Quote(name) + " IS_TEMPLATE false", cancellationToken: cancellationToken).ConfigureAwait(false);
                await admin.ExecuteSqlAsync("DROP DATABASE IF EXISTS " + PgIdentifier.Quote(name), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                // Another run is cloning it right now; the next build drops it.
            }
        }
    }

    /// <summary>Forgets that this process built the template of these options, as a new test run would (tests of the kit itself).</summary>
    internal static void ForgetBuilt(TestPostgres server, PostgresTestOptions options) =>
        Built.TryRemove((server.ConnectionString, ComputeHash(options)), out _);

    private static async Task FillAsync(string connectionString, PostgresTestOptions options, CancellationToken cancellationToken)
    {
        if (options.Migrations is { } source)
        {
            var dataSource = NpgsqlDataSource.Create(connectionString);
            await using (dataSource.ConfigureAwait(false))
            {
                await Migrator.MigrateAsync(dataSource, new MigrationOptions { Source = source }, cancellationToken).ConfigureAwait(false);
            }
        }

        if (options.Seed is { } seed)
        {
            var connection = new NpgsqlConnection(connectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await seed(connection, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
