namespace PgKit.Migrations.Tests.Support;

/// <summary>A temporary migrations folder, deleted when disposed.</summary>
internal sealed class MigrationFolder : IDisposable
{
    public MigrationFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pgkit-migtest-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public MigrationSource Source => MigrationSource.FromDirectory(Path);

    public MigrationFolder Write(string fileName, string text)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, fileName), text);
        return this;
    }

    public void Delete(string fileName) => File.Delete(System.IO.Path.Combine(Path, fileName));

    public Migrator Migrator(string connectionString, Action<MigrationOptions>? configure = null, Npgsql.NpgsqlDataSource? dataSource = null)
    {
        var options = new MigrationOptions { Source = Source };
        configure?.Invoke(options);
        return new Migrator(connectionString, options, dataSource);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
