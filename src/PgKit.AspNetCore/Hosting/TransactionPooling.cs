using System.Data.Common;
using Npgsql;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// The settings a transaction-mode pooler (PgBouncer's <c>pool_mode = transaction</c>) needs, applied when
/// <see cref="PostgresOptions.TransactionPooling"/> is on, after <see cref="PostgresPoolDefaults"/>.
/// </summary>
internal static class TransactionPooling
{
    /// <summary>Turns off automatic preparation (unless the connection string asks for it) and the reset on close.</summary>
    public static void Apply(NpgsqlConnectionStringBuilder settings)
    {
        // PgBouncer before 1.21 passes each statement to whichever server connection is free: a statement prepared on
        // one is unknown on the next ("prepared statement does not exist"). A pooler that tracks them (PgBouncer 1.21+
        // with max_prepared_statements) may be given Max Auto Prepare explicitly.
        var given = new DbConnectionStringBuilder { ConnectionString = settings.ConnectionString };
        if (!given.ContainsKey("Max Auto Prepare"))
        {
            settings.MaxAutoPrepare = 0;
        }

        // DISCARD ALL on close would run on some server connection of the pooler, which holds no state of ours.
        settings.NoResetOnClose = true;
    }
}
