using System.Data;

namespace PgKit.AspNetCore.Transactions;

/// <summary>The frozen transaction settings of an endpoint, read on the request path.</summary>
internal sealed record AtomicSettings(string Database, IsolationLevel IsolationLevel, bool ReadOnly, int MaxRetries, TimeSpan RetryDelay)
{
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromMilliseconds(20);

    public const int MaxAllowedRetries = 10;

    public static AtomicSettings For(string database) => new(database, IsolationLevel.Unspecified, false, 0, DefaultRetryDelay);

    public static AtomicSettings Create(string? database, IsolationLevel isolationLevel, bool readOnly, int maxRetries, TimeSpan retryDelay)
    {
        if (isolationLevel is not (IsolationLevel.Unspecified or IsolationLevel.ReadUncommitted or IsolationLevel.ReadCommitted
            or IsolationLevel.RepeatableRead or IsolationLevel.Serializable))
        {
            throw new ArgumentOutOfRangeException(nameof(isolationLevel), isolationLevel,
                "PostgreSQL supports Unspecified (the server default), ReadUncommitted, ReadCommitted, RepeatableRead and Serializable.");
        }

        if (maxRetries is < 0 or > MaxAllowedRetries)
        {
            throw new ArgumentOutOfRangeException(nameof(maxRetries), maxRetries, $"MaxRetries must be between 0 and {MaxAllowedRetries}.");
        }

        if (retryDelay < TimeSpan.Zero || retryDelay > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(retryDelay), retryDelay, "RetryDelay must be between zero and 10 seconds.");
        }

        if (database is not null && string.IsNullOrWhiteSpace(database))
        {
            throw new ArgumentException("Database must be null (the default database) or a registered database name.", nameof(database));
        }

        return new AtomicSettings(database ?? PostgresOptions.DefaultName, isolationLevel, readOnly, maxRetries, retryDelay);
    }
}
