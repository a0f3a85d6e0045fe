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

        Assert.Equal(PostgresPoolDefaults.DefaultMaxPoolSize, settings.MaxPoolSize);
        Assert.InRange(settings.MaxPoolSize, 8, 20);
        Assert.Equal(60, settings.ConnectionIdleLifetime);
        Assert.Equal(0, settings.MinPoolSize);
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 8)]
    [InlineData(3, 12)]
    [InlineData(4, 16)]
    [InlineData(5, 20)]
    [InlineData(64, 20)]
    public void TheDefaultPoolSize_IsFourConnectionsPerProcessor_BetweenEightAndTwenty(int processors, int expected) =>
        Assert.Equal(expected, PostgresPoolDefaults.DefaultPoolSizeFor(processors));

    [Fact]
    public void WithoutPrepareSettings_RepeatedStatementsArePrepared_AndTheSessionIsStillReset()
    {
        var settings = DataSourceSettings(Base);

        Assert.Equal(100, settings.MaxAutoPrepare);
        Assert.Equal(2, settings.AutoPrepareMinUsages);
        Assert.False(settings.NoResetOnClose);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0", 0, 2)]
    [InlineData("MaxAutoPrepare=7;Auto Prepare Min Usages=5", 7, 5)]
    [InlineData("auto prepare min usages=9", 100, 9)]
    public void APrepareSettingInTheConnectionString_Wins(string given, int maxAutoPrepare, int minUsages)
    {
        var settings = DataSourceSettings(Base + ";" + given);

        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(minUsages, settings.AutoPrepareMinUsages);
    }

    [Theory]
    [InlineData("Maximum Pool Size=7;Connection Idle Lifetime=300", 7, 300)]
    [InlineData("MaxPoolSize=100", 100, 60)]
    [InlineData("maximum pool size=3", 3, 60)]
    [InlineData("Connection Idle Lifetime=900", 0, 900)]
    public void ASettingInTheConnectionString_Wins(string given, int maxPoolSize, int idleLifetime)
    {
        var settings = DataSourceSettings(Base + ";" + given);

        Assert.Equal(maxPoolSize == 0 ? PostgresPoolDefaults.DefaultMaxPoolSize : maxPoolSize, settings.MaxPoolSize);
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

    [Theory]
    [InlineData("", 0)]
    [InlineData(";Max Auto Prepare=20", 20)]
    public void ADeclaredTransactionPool_TurnsOffWhatItCannotKeep_UnlessTheConnectionStringAsks(string given, int maxAutoPrepare)
    {
        var settings = DataSourceSettings(Base + given, transactionPooling: true);

        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal(PostgresPoolDefaults.DefaultMaxPoolSize, settings.MaxPoolSize);
    }

    [Fact]
    public void ConfigureDataSource_RunsAfterTheDefaults_AndWins()
    {
        var settings = DataSourceSettings(Base, builder => builder.ConnectionStringBuilder.MaxPoolSize = 55);

        Assert.Equal(55, settings.MaxPoolSize);
    }

    private static NpgsqlConnectionStringBuilder DataSourceSettings(string connectionString, Action<NpgsqlDataSourceBuilder>? configure = null, bool transactionPooling = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" });
        var postgres = services.AddPostgres(o =>
        {
            o.ConnectionString = connectionString;
            o.TransactionPooling = transactionPooling;
        });
        if (configure is not null)
        {
            postgres.ConfigureDataSource(configure);
        }

        using var provider = services.BuildServiceProvider();
        return new NpgsqlConnectionStringBuilder(provider.GetRequiredService<NpgsqlDataSource>().ConnectionString);
    }
}
