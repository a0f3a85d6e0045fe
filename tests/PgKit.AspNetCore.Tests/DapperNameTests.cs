using PgKit.Tests.Support;

namespace PgKit.AspNetCore.Tests;

/// <summary>No PgKit extension method callable on a connection or a session (<see cref="Db"/>, <see cref="Atomic"/>...) shares a name with Dapper's.</summary>
public sealed class DapperNameTests
{
    [Fact]
    public void No_PgKit_extension_method_on_Db_Atomic_or_a_connection_shares_a_name_with_Dapper()
    {
        var pgkit = new[]
        {
            typeof(IPgSession).Assembly,
            typeof(Db).Assembly,
            typeof(PgKit.Testing.TestSession).Assembly,
            typeof(Microsoft.Extensions.DependencyInjection.PostgresBuilderEmbeddedExtensions).Assembly,
        };
        Assert.Contains(typeof(Db), DapperNames.Sessions(pgkit));
        Assert.Contains(typeof(Atomic), DapperNames.Sessions(pgkit));

        Assert.Empty(DapperNames.Clashes(pgkit));
    }
}
