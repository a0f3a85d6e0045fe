using Microsoft.Extensions.Logging;
using Npgsql;
using PgKit.AspNetCore.Hosting;
using PgKit.AspNetCore.Sessions;

namespace PgKit.AspNetCore;

/// <summary>
/// Options for one PostgreSQL database registered with
/// <see cref="Microsoft.Extensions.DependencyInjection.PostgresServiceCollectionExtensions.AddPostgres(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.
/// These are named options: the name is the database name (<see cref="DefaultName"/> for the default database).
/// </summary>
/// <remarks>
/// Every Npgsql setting (pool sizes, timeouts, SSL, <c>Application Name</c>, <c>Max Auto Prepare</c>, ...) goes in the
/// connection string; type mappings, JSON options and per-physical-connection initialization go in
/// <see cref="IPostgresBuilder.ConfigureDataSource(Action{NpgsqlDataSourceBuilder})"/>. The options are validated when the
/// host starts, and every problem is reported in one <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.
/// </remarks>
public sealed class PostgresOptions
{
    /// <summary>The name of the default database, and of the connection string it reads: <c>ConnectionStrings:Postgres</c>.</summary>
    public const string DefaultName = "Postgres";

    /// <summary>Gets or sets the Npgsql connection string.</summary>
    /// <value>
    /// The default value is <see langword="null"/>: the connection string named after the database
    /// (<c>ConnectionStrings:Postgres</c> for the default database) is read from configuration. When neither is set,
    /// startup fails with a message naming that setting.
    /// </value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets how long a request waits for a free connection before it is answered with 503 and <c>Retry-After</c>.</summary>
    /// <value>The default value is 5 seconds. It must be positive and at most 5 minutes.</value>
    /// <remarks>This bounds the wait for the pool and the opening of a new physical connection together.</remarks>
    public TimeSpan AcquireTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long host shutdown waits for requests that still hold a connection.</summary>
    /// <value>The default value is 10 seconds. It must be positive and at most 10 minutes.</value>
    /// <remarks>
    /// When the time is up, the queries still running are cancelled on the server (<c>pg_cancel_backend</c>) and the pool
    /// is closed anyway, so shutdown never hangs on a stuck query.
    /// </remarks>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets one connection, inside a test's transaction, that every request uses in turn instead of the pool:
    /// PgKit.Testing.AspNetCore's rollback mode sets it. Leave it unset in an app.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: requests use the pool.</value>
    public IConnectionPin? ConnectionPin { get; set; }

    /// <summary>
    /// Gets or sets whether, when the connection string names standbys, a client that committed on the primary reads its
    /// own writes from a standby: the response to a request that committed carries the commit's WAL position (the
    /// <c>PgKit-Wal-Position</c> header and a cookie of that name, signed with ASP.NET Core Data Protection), and a
    /// later standby read that carries it waits until the standby has replayed that far, at most
    /// <see cref="ReadYourWritesWait"/>, else runs on the primary.
    /// </summary>
    /// <value>The default value is <see langword="true"/>. Without standbys it has no effect.</value>
    public bool ReadYourWrites { get; set; } = true;

    /// <summary>Gets or sets how long a standby read waits for the standby to replay the client's last commit before it runs on the primary instead.</summary>
    /// <value>The default value is 1 second. It must be between zero and 30 seconds.</value>
    public TimeSpan ReadYourWritesWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets whether the connection string goes through a pooler in transaction mode (PgBouncer's
    /// <c>pool_mode = transaction</c>, and most managed poolers), where each transaction may run on another server
    /// connection. PgKit then turns off what such a pool breaks: automatic preparation (<c>Max Auto Prepare = 0</c>, as
    /// PgBouncer before 1.21 keeps no prepared statements in this mode; an explicit setting in the connection string
    /// wins, for a pooler that does) and the reset on close (<c>No Reset On Close</c>: the pooler's server connections
    /// carry no session of this client), and refuses <c>MigrateOnStartup</c> through it unless
    /// <see cref="MigrationConnectionString"/> gives a direct connection.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: the connection string reaches PostgreSQL (or a session-mode pool).</value>
    /// <remarks>
    /// Outside a transaction, consecutive statements of one request may then run in different server sessions: a
    /// <c>SET</c>, a temporary table, a session advisory lock or <c>LISTEN</c> does not carry over to the next statement.
    /// Put work that needs session state in a transaction (<see cref="Atomic"/>, <c>WithAtomic</c>, <c>Db.BeginAsync</c>),
    /// with <c>SET LOCAL</c> and transaction-level advisory locks.
    /// </remarks>
    public bool TransactionPooling { get; set; }

    /// <summary>
    /// Gets or sets a connection string that reaches PostgreSQL directly, for <c>MigrateOnStartup</c>: migrations hold a
    /// session advisory lock and run DDL that a transaction-mode pooler cannot carry. Required with
    /// <see cref="TransactionPooling"/> when the database migrates on startup.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: migrations use the app's pool.</value>
    public string? MigrationConnectionString { get; set; }

    internal List<InitHook> InitHooks { get; } = [];

    internal List<Action<NpgsqlDataSourceBuilder>> DataSourceCallbacks { get; } = [];

    /// <summary>Migration runs registered by <c>MigrateOnStartup</c>; they run before the startup hooks.</summary>
    internal List<Func<NpgsqlDataSource, ILoggerFactory, CancellationToken, Task>> StartupMigrations { get; } = [];
}
