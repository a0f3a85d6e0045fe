using Dapper;
using Npgsql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

/// <summary>
/// PgKit and Dapper in one file. Both namespaces are imported here on purpose: every call below must bind to PgKit
/// whatever the shape of its arguments, which the <c>$1</c> parameters prove (Dapper would send them as written,
/// with no parameter, and PostgreSQL would refuse the statement).
/// </summary>
public sealed class DapperCoexistenceTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public void No_PgKit_extension_method_shares_a_name_with_a_Dapper_SqlMapper_extension()
    {
        var dapper = DapperNames.SqlMapperExtensionNames();
        Assert.Contains("QueryAsync", dapper); // the scan sees Dapper's methods, sync and async
        Assert.Contains("Execute", dapper);
        var pgkit = new[] { typeof(IPgSession).Assembly, typeof(PgKit.Testing.TestSession).Assembly };
        Assert.Contains(typeof(PgKit.Testing.TestSession), DapperNames.Sessions(pgkit));

        Assert.Empty(DapperNames.Clashes(pgkit));
    }

    [Fact]
    public async Task With_both_namespaces_imported_the_PgKit_helpers_run_with_positional_parameters()
    {
        var table = await db.CreateTableAsync("id int PRIMARY KEY, name text NOT NULL");
        await using var connection = await db.OpenAsync();
        var session = new TestSession(connection);
        int id = 1;

        // No arguments, a list of arguments, and an anonymous object where one fits (Dapper's shape): all PgKit.
        Assert.Equal(1, await connection.FetchValueAsync<int>("SELECT 1"));
        Assert.Equal(1, await connection.ExecuteSqlAsync($"INSERT INTO {table} VALUES ($1, $2)", [id, "Ann"]));
        Assert.Equal(1, await session.ExecuteSqlAsync($"INSERT INTO {table} VALUES ($1, $2)", [2, "Bob"]));
        Assert.Equal(["Ann"], await connection.FetchAsync<string>($"SELECT name FROM {table} WHERE id = $1", [id]));
        Assert.Equal("Bob", await session.FetchRowAsync<string>($"SELECT name FROM {table} WHERE id = $1", [2]));
        Assert.Equal(2L, await session.FetchValueAsync<long>($"SELECT count(*) FROM {table} WHERE id >= $1", [id]));
        Assert.Equal("Ann", (await connection.GetAsync<(int, string)>(table, new { id })).Item2);
        Assert.Equal("Bob", (await session.GetAsync<(int, string)>(table, "id = $1", [2])).Item2);
        Assert.Equal(1L, await session.CountAsync(table, new { id }));
        var streamed = new List<string>();
        await foreach (var name in connection.FetchStreamAsync<string>($"SELECT name FROM {table} WHERE id > $1 ORDER BY id", [0]))
        {
            streamed.Add(name);
        }

        Assert.Equal(["Ann", "Bob"], streamed);

        // Dapper is still there, under its own names and with its own parameter syntax.
        Assert.Equal("Ann", await connection.QuerySingleAsync<string>($"SELECT name FROM {table} WHERE id = @id", new { id }));
    }
}
