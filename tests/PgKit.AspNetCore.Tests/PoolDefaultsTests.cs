using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace PgKit.AspNetCore.Tests;

/// <summary>
/// The pool settings PgKit fills in when the connection string leaves them out (Npgsql's own, 100 connections kept
/// idle for 5 minutes, equal a default server's max_connections), and a connection string that sets them always wins.
/// Building the data source does no I/O, so these tests need no server.
/// </summary>
public sealed class PoolDefaultsTests
{
    private const string Base = "Host=127.0.0.1;Port=1;Username=app;Database=app";

    [Fact]
    public void WithoutPoolSettings_ThePoolIsSmallAndReturnsIdleConnectionsWithinAMinute()
    {
        var settings = DataSourceSettings(Base);

        Assert.Equal(PostgresPoolDefaults.MaxPoolSize, settings.MaxPoolSize);
        Assert.Equal(20, settings.MaxPoolSize);
        Assert.Equal(60, settings.ConnectionIdleLifetime);
        Assert.Equal(0, settings.MinPoolSize);
    }

    [Theory]
    [InlineData("Maximum Pool Size=7;Connection Idle Lifetime=300", 7, 300)]
    [InlineData("MaxPoolSize=100", 100, 60)]
    [InlineData("maximum pool size=3", 3, 60)]
    [InlineData("Connection Idle Lifetime=900", 20, 900)]
    public void ASettingInTheConnectionString_Wins(string given, int maxPoolSize, int idleLifetime)
    {
        var settings = DataSourceSettings(Base + ";" + given);

        Assert.Equal(maxPoolSize, settings.MaxPoolSize);
        Assert.Equal(idleLifetime, settings.ConnectionIdleLifetime);
    }

    [Fact]
    public void DefaultsNeverContradictTheConnectionString()
    {
        // Npgsql refuses a maximum below the minimum and a pruning interval above the idle lifetime.
        var settings = DataSourceSettings(Base + ";Minimum Pool Size=30;Connection Pruning Interval=90");

        Assert.Equal(30, settings.MaxPoolSize);
        Assert.Equal(30, settings.MinPoolSize);
        Assert.Equal(90, settings.ConnectionIdleLifetime);
    }

    [Fact]
    public void ConfigureDataSource_RunsAfterTheDefaults_AndWins()
    {
        var settings = DataSourceSettings(Base, builder => builder.ConnectionStringBuilder.MaxPoolSize = 55);

        Assert.Equal(55, settings.MaxPoolSize);
    }

    private static NpgsqlConnectionStringBuilder DataSourceSettings(string connectionString, Action<NpgsqlDataSourceBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" });
        var postgres = services.AddPostgres(o => o.ConnectionString = connectionString);
        if (configure is not null)
        {
            postgres.ConfigureDataSource(configure);
        }

        using var provider = services.BuildServiceProvider();
        return new NpgsqlConnectionStringBuilder(provider.GetRequiredService<NpgsqlDataSource>().ConnectionString);
    }
}
