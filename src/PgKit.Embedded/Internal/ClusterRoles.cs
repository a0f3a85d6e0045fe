using Npgsql;

namespace PgKit.Embedded.Internal;

/// <summary>
/// Sets up the cluster's roles and the databases made for apps: the superuser's password, the <c>app</c> role
/// without superuser rights, and the hand-over of a database to that role.
/// </summary>
internal static class ClusterRoles
{
    /// <summary>
    /// Gives both roles their passwords (creating the app role when missing), over the unix socket, which needs none.
    /// Idempotent: it runs on every start and attach, so a cluster made by an earlier, password-free version is
    /// secured in place. A changed <c>pg_hba.conf</c> is reloaded.
    /// </summary>
    public static async Task SecureAsync(string socketDirectory, int port, ClusterSecrets secrets, bool reloadAccessRules, CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = socketDirectory,
            Port = port,
            Username = ClusterFiles.SuperUser,
            Database = "postgres",
            Pooling = false,
        }.ConnectionString;

        // Passwords are hex (see ClusterSecrets), so they need no escaping inside the literals; ALTER ROLE takes no
        // parameters. The statements are not logged: log_statement is off on these servers.
        var sql = $"""
            ALTER ROLE {ClusterFiles.SuperUser} PASSWORD '{Hex(secrets.SuperUserPassword)}';
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{ClusterFiles.AppRole}') THEN
                CREATE ROLE {ClusterFiles.AppRole} LOGIN;
              END IF;
            END $$;
            ALTER ROLE {ClusterFiles.AppRole} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{Hex(secrets.AppPassword)}';
            """;
        if (reloadAccessRules)
        {
            sql += "SELECT pg_catalog.pg_reload_conf();";
        }

        await ExecuteOnceAsync(connectionString, sql, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs statements on a connection of their own, closed afterwards (the caller's pools keep nothing idle).</summary>
    public static async Task ExecuteOnceAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the database owned by the app role, or hands an existing one (and what is in it) over to that role.</summary>
    public static async Task EnsureAppDatabaseAsync(string maintenanceConnectionString, string databaseConnectionString, string database, string quotedDatabase, CancellationToken cancellationToken)
    {
        string? owner;
        var maintenance = new NpgsqlConnection(maintenanceConnectionString);
        await using (maintenance.ConfigureAwait(false))
        {
            await maintenance.OpenAsync(cancellationToken).ConfigureAwait(false);
            owner = await ScalarAsync<string>(maintenance, "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = $1", database, cancellationToken).ConfigureAwait(false);
            if (owner is null)
            {
                try
                {
                    await ExecuteAsync(maintenance, $"CREATE DATABASE {quotedDatabase} OWNER {ClusterFiles.AppRole}", cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
                {
                    // Another process made it a moment ago; make sure of its owner below.
                }
            }
            else if (owner == ClusterFiles.AppRole)
            {
                return;
            }

            await ExecuteAsync(maintenance, $"ALTER DATABASE {quotedDatabase} OWNER TO {ClusterFiles.AppRole}", cancellationToken).ConfigureAwait(false);
        }

        var connection = new NpgsqlConnection(databaseConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, HandOverObjects, cancellationToken).ConfigureAwait(false);
        }
    }

    // Objects an earlier version's app made as the superuser, outside the system schemas. REASSIGN OWNED cannot be
    // used: the bootstrap superuser also owns the system catalogs. Sequences and types that belong to a table move
    // with it, so they are skipped here.
    private static readonly string HandOverObjects = $$"""
        DO $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT n.nspname FROM pg_catalog.pg_namespace n
                   WHERE n.nspowner = '{{ClusterFiles.SuperUser}}'::regrole AND n.nspname NOT LIKE 'pg\_%' AND n.nspname NOT IN ('information_schema', 'public')
          LOOP EXECUTE format('ALTER SCHEMA %I OWNER TO {{ClusterFiles.AppRole}}', r.nspname); END LOOP;

          FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relowner = '{{ClusterFiles.SuperUser}}'::regrole AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
                     AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                     AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
                   ORDER BY c.relkind = 'S' DESC
          LOOP EXECUTE format('ALTER %s %s OWNER TO {{ClusterFiles.AppRole}}',
                 CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.name); END LOOP;

          FOR r IN SELECT t.oid::regtype AS name FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                   WHERE t.typowner = '{{ClusterFiles.SuperUser}}'::regrole AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
                     AND t.typtype IN ('e', 'd', 'r', 'm') AND t.typelem = 0
          LOOP EXECUTE format('ALTER TYPE %s OWNER TO {{ClusterFiles.AppRole}}', r.name); END LOOP;

          FOR r IN SELECT p.oid::regprocedure AS name FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                   WHERE p.proowner = '{{ClusterFiles.SuperUser}}'::regrole AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
                     AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
          LOOP EXECUTE format('ALTER ROUTINE %s OWNER TO {{ClusterFiles.AppRole}}', r.name); END LOOP;
        END $$
        """;

    private static string Hex(string password) =>
        password.All(char.IsAsciiHexDigit) ? password : throw new InvalidOperationException("A cluster password is not hex; secrets.json was edited by hand.");

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql, object argument, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument });
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is T typed ? typed : default;
        }
    }
}
