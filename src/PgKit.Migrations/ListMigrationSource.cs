namespace PgKit.Migrations;

/// <summary>Migrations built in code.</summary>
internal sealed class ListMigrationSource(IReadOnlyList<Migration> migrations) : MigrationSource
{
    public override string Description => "the migrations given in code";

    protected override IEnumerable<Migration> LoadCore() => migrations;
}
