using System.Text;

namespace PgKit.Migrations;

/// <summary>What an up run would do, computed without changing anything (a dry run).</summary>
/// <param name="Migrations">The migrations that would be applied, in order.</param>
public sealed record MigrationPlan(IReadOnlyList<PlannedMigration> Migrations)
{
    /// <summary>Renders the plan as one script, each migration headed by its file name and wrapped in <c>BEGIN</c>/<c>COMMIT</c> when it runs in a transaction.</summary>
    /// <returns>The script; a comment saying so when nothing is pending.</returns>
    public string ToSql()
    {
        if (Migrations.Count == 0)
        {
            return "-- Nothing to apply: the database is up to date." + "\n";
        }

        var sb = new StringBuilder();
        foreach (var m in Migrations)
        {
            sb.Append("-- ").Append(m.FileName).Append(m.IsTransactional ? string.Empty : " (no transaction)").Append('\n');
            if (m.IsTransactional)
            {
                sb.Append("BEGIN;\n");
            }

            sb.Append(m.Sql.TrimEnd()).Append('\n');
            if (m.IsTransactional)
            {
                sb.Append("COMMIT;\n");
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
