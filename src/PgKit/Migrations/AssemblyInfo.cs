using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("PgKit.Migrations.Tests")]
