using System.Data.Common;
using Npgsql;

namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// The settings a transaction-mode pooler (PgBouncer's <c>pool_mode = transaction</c>) needs, applied by
/// <see cref="PostgresPoolDefaults"/> in place of its statement defaults when <see cref="PostgresOptions.TransactionPooling"/> is on.
/// </summary>
internal static class TransactionPooling
{
    /// <summary>Turns off automatic preparation (unless the connection string asks for it) and the reset on close.</summary>
    /// <param name="settings">The data source builder's settings.</param>
    /// <param name="given">The settings the app's connection string named, before any default was filled in.</param>
    public static void Apply(NpgsqlConnectionStringBuilder settings, DbConnectionStringBuilder given)
    {
        // PgBouncer before 1.21 passes each statement to whichever server connection is free: a statement prepared on
        // one is unknown on the next ("prepared statement does not exist"). A pooler that tracks them (PgBouncer 1.21+
        // with max_prepared_statements) may be given Max Auto Prepare explicitly.
        if (!given.ContainsKey("Max Auto Prepare"))
        {
            settings.MaxAutoPrepare = 0;
        }

        // DISCARD ALL on close would run on some server connection of the pooler, which holds no state of ours.
        settings.NoResetOnClose = true;
    }
}
