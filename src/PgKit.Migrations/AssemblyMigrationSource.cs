using System.Reflection;

namespace PgKit.Migrations;

/// <summary>The <c>.sql</c> resources of an assembly under a name prefix.</summary>
internal sealed class AssemblyMigrationSource(Assembly assembly, string prefix) : MigrationSource
{
    public override string Description => $"resources '{prefix}*.sql' of assembly {assembly.GetName().Name}";

    protected override IEnumerable<Migration> LoadCore()
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // RootNamespace.Migrations.0001_create_author.sql: the file name is the part after the last dot before ".sql".
            var stem = resource[..^4];
            var fileName = stem[(stem.LastIndexOf('.') + 1)..] + ".sql";
            if (!Migration.TryParseFileName(fileName, out _, out _))
            {
                if (prefix.Length == 0)
                {
                    continue;
                }

                throw new MigrationException(
                    MigrationErrorKind.InvalidSource,
                    $"The resource '{resource}' is not named like a migration file: use NNNN_name.sql, for example 0001_create_author.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(Migration.FromText(fileName, reader.ReadToEnd(), resource));
        }

        return migrations;
    }
}
