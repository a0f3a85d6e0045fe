using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using PgKit.Embedded.Tests.Support;

namespace PgKit.Embedded.Tests;

/// <summary>
/// A server given a certificate requires TLS over TCP, and a client that verifies it fully (<c>SSL Mode=VerifyFull</c>
/// against the CA that issued it) connects, as it would to a production server; every way verification should fail, fails.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TlsTests
{
    [Fact]
    public async Task AServerCertificate_RequiresTls_AndAFullyVerifyingClientConnects_WhileWrongCaWrongHostAndPlainTcpAreRefused()
    {
        using var authority = new TestCertificateAuthority("PgKit Test CA");
        using var otherAuthority = new TestCertificateAuthority("Some Other CA");
        using var certificate = authority.IssueServerCertificate("localhost", address: null);
        var folder = Directory.CreateTempSubdirectory("pgkit-tls-").FullName;
        try
        {
            var root = authority.WriteRootPem(folder);
            var otherRoot = otherAuthority.WriteRootPem(folder);
            await using var server = await PostgresServer.StartAsync(new PostgresServerOptions { ServerCertificate = certificate });

            // The key is the server account's alone: PostgreSQL refuses a readable key, and other local users must not read it.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(server.DataDirectory, "server.key")));

            string Client(string host, string? rootCertificate, SslMode mode) => new NpgsqlConnectionStringBuilder(server.GetAppConnectionString("postgres"))
            {
                Host = host,
                SslMode = mode,
                RootCertificate = rootCertificate,
                Pooling = false,
            }.ConnectionString;

            Assert.True(await Sql.ScalarAsync<bool>(Client("localhost", root, SslMode.VerifyFull), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));

            // A certificate from another CA, a host name the certificate does not name, and no TLS at all.
            // (The certificate names localhost, not its address.)
            foreach (var (host, rootCertificate) in new[] { ("localhost", otherRoot), ("127.0.0.1", root) })
            {
                var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ScalarAsync<int>(Client(host, rootCertificate, SslMode.VerifyFull), "SELECT 1"));
                Assert.IsType<AuthenticationException>(refused.InnerException);
            }
            var plain = await Assert.ThrowsAsync<PostgresException>(() => Sql.ScalarAsync<int>(Client("127.0.0.1", null, SslMode.Disable), "SELECT 1"));
            Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, plain.SqlState);
            Assert.Contains("no encryption", plain.MessageText, StringComparison.Ordinal);

            // PgBouncer in front of it reaches it over TLS.
            if (PgBouncer.IsInstalled)
            {
                await server.EnsureAppDatabaseAsync("shop");
                await using var bouncer = await PgBouncer.StartAsync(server);
                var viaBouncer = new NpgsqlConnectionStringBuilder(bouncer.GetAppConnectionString("shop")) { Pooling = false, SslMode = SslMode.Disable }.ConnectionString;
                Assert.True(await Sql.ScalarAsync<bool>(viaBouncer, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task InATlsOnlyCluster_TheStandbyStreamsOverTls()
    {
        using var authority = new TestCertificateAuthority("PgKit Test CA");
        using var certificate = authority.IssueServerCertificate("localhost", IPAddress.Loopback);
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { Standbys = 1, Server = { ServerCertificate = certificate } });

        var streaming = "SELECT s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s ON s.pid = r.pid";
        Assert.True(await Sql.ScalarAsync<bool>(cluster.Primary.ConnectionString, streaming));
    }

    [Fact]
    public async Task ACertificateWithoutItsPrivateKey_IsRefusedWithAnErrorNamingTheOption()
    {
        using var authority = new TestCertificateAuthority("PgKit Test CA");
        using var issued = authority.IssueServerCertificate("localhost", IPAddress.Loopback);
        using var publicOnly = X509CertificateLoader.LoadCertificate(issued.RawData);

        var error = await Assert.ThrowsAsync<PostgresServerException>(() => PostgresServer.StartAsync(new PostgresServerOptions { ServerCertificate = publicOnly }));

        Assert.Contains("ServerCertificate", error.Message, StringComparison.Ordinal);
        Assert.Contains("private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutACertificate_TheServerAcceptsPlainTcpWithAPassword()
    {
        await using var server = await PostgresServer.StartAsync();
        var plain = new NpgsqlConnectionStringBuilder(server.GetAppConnectionString("postgres")) { SslMode = SslMode.Disable, Pooling = false }.ConnectionString;

        Assert.Equal(1, await Sql.ScalarAsync<int>(plain, "SELECT 1"));
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "server.key")));
    }
}
