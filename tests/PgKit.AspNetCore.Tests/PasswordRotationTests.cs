using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgKit.AspNetCore.Tests.Support;

namespace PgKit.AspNetCore.Tests;

public sealed class PasswordRotationFixture : DatabaseFixture;

/// <summary>
/// Passwords that rotate without a restart (a secret store, a cloud IAM token): Npgsql's periodic password provider,
/// given through <c>ConfigureDataSource</c>, feeds every new physical connection the current password. The same
/// rotation with a password fixed in the connection string locks the app out, which shows the rotation is real.
/// </summary>
public sealed class PasswordRotationTests(PasswordRotationFixture db) : IClassFixture<PasswordRotationFixture>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AfterThePasswordRotates_NewConnectionsUseTheNewOne_OnlyWithAPeriodicPasswordProvider(bool periodicProvider)
    {
        var server = await PgKit.Testing.TestPostgres.SharedAsync();
        var role = "rotating_" + Guid.NewGuid().ToString("N")[..8];
        var current = "first-" + Guid.NewGuid().ToString("N");
        var calls = 0;
        await ExecuteAsSuperuserAsync(server.ConnectionString, $"CREATE ROLE {role} LOGIN PASSWORD '{current}'; GRANT CONNECT ON DATABASE \"{db.DatabaseName}\" TO {role}");
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString)
        {
            Username = role,
            Password = periodicProvider ? null : current,
        }.ConnectionString;

        try
        {
            await using var app = await TestApp.StartAsync(
                connectionString,
                app => app.MapGet("/whoami", async (Db db, CancellationToken ct) => await db.ValueAsync<string>("SELECT current_user", ct)),
                postgres: periodicProvider
                    ? pg => pg.ConfigureDataSource(b => b.UsePeriodicPasswordProvider(
                        (_, _) =>
                        {
                            Interlocked.Increment(ref calls);
                            return ValueTask.FromResult(Volatile.Read(ref current));
                        },
                        successRefreshInterval: TimeSpan.FromMilliseconds(100),
                        failureRefreshInterval: TimeSpan.FromMilliseconds(100)))
                    : null);
            var client = app.GetTestClient();
            Assert.Equal(role, await client.GetStringAsync(new Uri("/whoami", UriKind.Relative)));

            // The secret store rotates the password; connections already open stay authenticated, new ones need it.
            var rotated = "second-" + Guid.NewGuid().ToString("N");
            await ExecuteAsSuperuserAsync(server.ConnectionString, $"ALTER ROLE {role} PASSWORD '{rotated}'");
            Volatile.Write(ref current, rotated);
            var callsAtRotation = Volatile.Read(ref calls);
            if (periodicProvider)
            {
                await DatabaseFixture.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref calls) > callsAtRotation + 1), TimeSpan.FromSeconds(10), "the provider to refresh");
            }

            app.Services.GetRequiredService<NpgsqlDataSource>().Clear();
            var response = await client.GetAsync(new Uri("/whoami", UriKind.Relative));

            if (periodicProvider)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(role, await response.Content.ReadAsStringAsync());
            }
            else
            {
                Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
                Assert.DoesNotContain(rotated, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
        finally
        {
            await ExecuteAsSuperuserAsync(server.GetConnectionString(db.DatabaseName), $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'; REVOKE CONNECT ON DATABASE \"{db.DatabaseName}\" FROM {role}; DROP ROLE {role}");
        }
    }

    private static async Task ExecuteAsSuperuserAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(DatabaseFixture.Unpooled(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
