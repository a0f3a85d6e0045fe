namespace PgKit.Migrations;

/// <summary>The <c>NNNN_name.sql</c> files of one folder.</summary>
internal sealed class DirectoryMigrationSource(string path) : MigrationSource
{
    public override string Description => $"folder '{path}'";

    protected override IEnumerable<Migration> LoadCore()
    {
        if (!Directory.Exists(path))
        {
            throw new MigrationException(
                MigrationErrorKind.InvalidSource,
                $"The migrations folder '{path}' does not exist; create it, or point to the right one (pgkit: --dir).");
        }

        var migrations = new List<Migration>();
        foreach (var file in Directory.EnumerateFiles(path, "*.sql"))
        {
            var name = Path.GetFileName(file);
            if (!Migration.TryParseFileName(name, out _, out _))
            {
                throw new MigrationException(
                    MigrationErrorKind.InvalidSource,
                    $"'{name}' in {Description} is not a migration file name: use NNNN_name.sql, for example 0001_create_author.sql, or move the file elsewhere.");
            }

            migrations.Add(Migration.FromText(name, File.ReadAllText(file), file));
        }

        return migrations;
    }
}
