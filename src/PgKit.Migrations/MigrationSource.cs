using System.Reflection;

namespace PgKit.Migrations;

/// <summary>
/// Where a <see cref="Migrator"/> finds its migrations: a folder of <c>NNNN_name.sql</c> files, resources embedded
/// in an assembly, or a list built in code.
/// </summary>
public abstract class MigrationSource
{
    /// <summary>Gets a short description of the source for messages, for example <c>folder '/app/migrations'</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Migrations from the <c>NNNN_name.sql</c> files of a folder (not its subfolders). Other files are ignored.</summary>
    /// <param name="path">The folder, absolute or relative to the current folder.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static MigrationSource FromDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new DirectoryMigrationSource(Path.GetFullPath(path));
    }

    /// <summary>
    /// Migrations embedded in an assembly: every resource whose name starts with <paramref name="resourcePrefix"/>
    /// and ends with <c>NNNN_name.sql</c>.
    /// </summary>
    /// <param name="assembly">The assembly holding the resources.</param>
    /// <param name="resourcePrefix">
    /// The resource-name prefix: MSBuild names <c>&lt;EmbeddedResource Include="Migrations/*.sql" /&gt;</c> as
    /// <c>RootNamespace.Migrations.0001_x.sql</c>, so pass <c>"MyApp.Migrations."</c>. An empty prefix takes every
    /// <c>.sql</c> resource whose name ends like a migration file.
    /// </param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static MigrationSource FromAssembly(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourcePrefix);
        return new AssemblyMigrationSource(assembly, resourcePrefix);
    }

    /// <summary>Migrations built in code, for example with <see cref="Migration.Create"/>.</summary>
    /// <param name="migrations">The migrations, in any order.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="migrations"/> is <see langword="null"/>.</exception>
    public static MigrationSource FromMigrations(IEnumerable<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        return new ListMigrationSource([.. migrations]);
    }

    /// <summary>Loads the migrations, ordered by version.</summary>
    /// <returns>The migrations, ordered by version.</returns>
    /// <exception cref="MigrationException">The source is missing, a file name is malformed, or two migrations share a version.</exception>
    public IReadOnlyList<Migration> Load()
    {
        var migrations = LoadCore().OrderBy(m => m.Version).ToList();
        var duplicates = migrations.GroupBy(m => m.Version).Where(g => g.Count() > 1).ToList();
        if (duplicates.Count > 0)
        {
            var list = string.Join("; ", duplicates.Select(g => string.Join(" and ", g.Select(m => m.FileName))));
            throw new MigrationException(
                MigrationErrorKind.InvalidSource,
                $"Two migrations in {Description} share a version ({list}); renumber one of them.");
        }

        return migrations;
    }

    /// <summary>Reads the migrations, in any order.</summary>
    /// <returns>The migrations.</returns>
    protected abstract IEnumerable<Migration> LoadCore();
}
