using System.Data;
using Npgsql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

public sealed record ErrAuthor(int Id, string Email, int? Age);

public sealed record ErrBook(int Id, int AuthorId);

public sealed record ErrCounter(int Id, int N);

/// <summary>
/// Server errors reach the caller as Npgsql's own <see cref="PostgresException"/> whichever way the statement was sent
/// (a connection helper, a session helper, a <see cref="Table{TRow, TKey}"/>), so Npgsql's documented
/// <c>catch (PostgresException e) when (...)</c> catches them; <see cref="PgErrors"/> tells each kind apart.
/// </summary>
public sealed class ErrorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private string authors = "";
    private string books = "";

    public enum Route
    {
        Connection,
        Session,
        Table,
    }

    public enum Kind
    {
        Unique,
        ForeignKey,
        NotNull,
        Check,
        Serialization,
        Deadlock,
    }

    public async ValueTask InitializeAsync()
    {
        (authors, books) = await db.OnceAsync("schema", async () =>
        {
            var authors = await db.CreateTableAsync("id int PRIMARY KEY, email text NOT NULL CONSTRAINT authors_email_key UNIQUE, age int CONSTRAINT age_positive CHECK (age > 0)");
            var books = await db.CreateTableAsync($"id int PRIMARY KEY, author_id int NOT NULL CONSTRAINT books_author_fkey REFERENCES {authors}(id)");
            await using var connection = await db.OpenAsync();
            await connection.InsertAsync<int>(authors, new { id = 1, email = "secret-ann@example.com", age = 30 });
            return (authors, books);
        });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Theory]
    [InlineData(Route.Connection)]
    [InlineData(Route.Session)]
    [InlineData(Route.Table)]
    public async Task Unique_violation_is_a_PostgresException_naming_its_constraint(Route route)
    {
        await using var connection = await db.OpenAsync();
        var error = await CatchAsync(() => InsertAsync(route, connection, authors, new { id = 2, email = "secret-ann@example.com" }), e => e.IsUniqueViolation());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal("authors_email_key", error.ConstraintName);
        Assert.True(error.IsUniqueViolation("authors_email_key"));
        Assert.False(error.IsUniqueViolation("another_key"));
        AssertOnly(Kind.Unique, error);
    }

    [Theory]
    [InlineData(Route.Connection)]
    [InlineData(Route.Session)]
    [InlineData(Route.Table)]
    public async Task Foreign_key_violation_is_a_PostgresException(Route route)
    {
        await using var connection = await db.OpenAsync();
        var error = await CatchAsync(() => InsertAsync(route, connection, books, new { id = 1, author_id = 42 }), e => e.IsForeignKeyViolation());
        Assert.Equal("books_author_fkey", error.ConstraintName);
        Assert.True(error.IsForeignKeyViolation("books_author_fkey"));
        AssertOnly(Kind.ForeignKey, error);
    }

    [Theory]
    [InlineData(Route.Connection)]
    [InlineData(Route.Session)]
    [InlineData(Route.Table)]
    public async Task Not_null_violation_is_a_PostgresException_naming_its_column(Route route)
    {
        await using var connection = await db.OpenAsync();
        var error = await CatchAsync(() => InsertAsync(route, connection, authors, new { id = 3, email = (string?)null }), e => e.IsNotNullViolation());
        Assert.Equal("email", error.ColumnName);
        Assert.True(error.IsNotNullViolation("email"));
        Assert.False(error.IsNotNullViolation("age"));
        AssertOnly(Kind.NotNull, error);
    }

    [Theory]
    [InlineData(Route.Connection)]
    [InlineData(Route.Session)]
    [InlineData(Route.Table)]
    public async Task Check_violation_is_a_PostgresException(Route route)
    {
        await using var connection = await db.OpenAsync();
        var error = await CatchAsync(() => InsertAsync(route, connection, authors, new { id = 4, email = "x@example.com", age = -5 }), e => e.IsCheckViolation());
        Assert.Equal("age_positive", error.ConstraintName);
        Assert.True(error.IsCheckViolation("age_positive"));
        AssertOnly(Kind.Check, error);
    }

    [Theory]
    [InlineData(Route.Connection)]
    [InlineData(Route.Session)]
    [InlineData(Route.Table)]
    public async Task Serialization_failure_of_two_serializable_transactions_is_a_PostgresException(Route route)
    {
        var counters = await db.CreateTableAsync("id int PRIMARY KEY, n int NOT NULL");
        await using var a = await db.OpenAsync();
        await using var b = await db.OpenAsync();
        await a.InsertAsync<int>(counters, new { id = 1, n = 0 });
        await using var ta = await a.BeginTransactionAsync(IsolationLevel.Serializable);
        await using var tb = await b.BeginTransactionAsync(IsolationLevel.Serializable);
        Assert.Equal(0, await a.FetchValueAsync<int>($"SELECT n FROM {counters} WHERE id = 1"));
        Assert.Equal(0, await b.FetchValueAsync<int>($"SELECT n FROM {counters} WHERE id = 1"));
        await a.ExecuteSqlAsync($"UPDATE {counters} SET n = 1 WHERE id = 1");
        await ta.CommitAsync();

        var error = await CatchAsync(() => UpdateCounterAsync(route, b, counters, id: 1), e => e.IsSerializationFailure());
        AssertOnly(Kind.Serialization, error);
        Assert.True(error.IsTransactionConflict());
    }

    [Theory]
    [InlineData(Route.Connection)]
    [InlineData(Route.Session)]
    [InlineData(Route.Table)]
    public async Task Deadlock_of_two_transactions_locking_in_opposite_order_is_not_a_serialization_failure(Route route)
    {
        var counters = await db.CreateTableAsync("id int PRIMARY KEY, n int NOT NULL");
        await using var a = await db.OpenAsync();
        await using var b = await db.OpenAsync();
        await a.InsertManyAsync(counters, [new { id = 1, n = 0 }, new { id = 2, n = 0 }]);

        // Only b's backend looks for the deadlock in time, so b (whose statement goes through the route) is the victim.
        await a.ExecuteSqlAsync("SET deadlock_timeout = '10s'");
        await b.ExecuteSqlAsync("SET deadlock_timeout = '50ms'");
        await using var ta = await a.BeginTransactionAsync();
        await using var tb = await b.BeginTransactionAsync();
        await a.ExecuteSqlAsync($"UPDATE {counters} SET n = 1 WHERE id = 1");
        await b.ExecuteSqlAsync($"UPDATE {counters} SET n = 1 WHERE id = 2");
        var aPid = a.ProcessID;
        var aWaits = a.ExecuteSqlAsync($"UPDATE {counters} SET n = 2 WHERE id = 2");
        await WaitUntilWaitingForALockAsync(aPid);

        var error = await CatchAsync(() => UpdateCounterAsync(route, b, counters, id: 1), e => e.IsDeadlock());
        AssertOnly(Kind.Deadlock, error);
        Assert.False(error.IsSerializationFailure());
        Assert.True(error.IsTransactionConflict());
        await tb.RollbackAsync();
        Assert.Equal(1, await aWaits);
    }

    [Fact]
    public async Task Other_errors_propagate_unchanged()
    {
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.FetchAsync<int>("SELECT * FROM no_such_table"));
        Assert.Equal("42P01", error.SqlState);
        Assert.All(Matchers, m => Assert.False(m.Value(error)));
    }

    [Fact]
    public void Matchers_reject_null()
        => Assert.All(Matchers, m => Assert.Throws<ArgumentNullException>(() => m.Value(null!)));

    private static readonly Dictionary<Kind, Func<PostgresException, bool>> Matchers = new()
    {
        [Kind.Unique] = e => e.IsUniqueViolation(),
        [Kind.ForeignKey] = e => e.IsForeignKeyViolation(),
        [Kind.NotNull] = e => e.IsNotNullViolation(),
        [Kind.Check] = e => e.IsCheckViolation(),
        [Kind.Serialization] = e => e.IsSerializationFailure(),
        [Kind.Deadlock] = e => e.IsDeadlock(),
    };

    // Each error matches its own matcher and no other one.
    private static void AssertOnly(Kind kind, PostgresException error)
        => Assert.Equal(new[] { kind }, Matchers.Where(m => m.Value(error)).Select(m => m.Key));

    // Npgsql's documented pattern, exactly: an exception of any other type (a wrapper) escapes the filter and fails the test.
    private static async Task<PostgresException> CatchAsync(Func<Task> action, Func<PostgresException, bool> matches)
    {
        try
        {
            await action();
        }
        catch (PostgresException e) when (matches(e))
        {
            return e;
        }

        throw new Xunit.Sdk.XunitException("The statement did not fail.");
    }

    // The table route covers both of Table's receivers: books through a session, authors through a connection.
    private Task InsertAsync(Route route, NpgsqlConnection connection, string table, object values) => route switch
    {
        Route.Connection => connection.InsertAsync<int>(table, values),
        Route.Session => new TestSession(connection).InsertAsync<int>(table, values),
        _ when table == books => new Table<ErrBook, int>(table).InsertAsync(new TestSession(connection), values),
        _ => new Table<ErrAuthor, int>(table).InsertAsync(connection, values),
    };

    private static Task UpdateCounterAsync(Route route, NpgsqlConnection connection, string table, int id) => route switch
    {
        Route.Connection => connection.UpdateAsync<int>(table, new { id }, new { n = 2 }),
        Route.Session => new TestSession(connection).UpdateAsync<int>(table, new { id }, new { n = 2 }),
        _ => new Table<ErrCounter, int>(table).PatchAsync(connection, id, new Dictionary<string, object?> { ["n"] = 2 }),
    };

    private async Task WaitUntilWaitingForALockAsync(int pid)
    {
        await using var observer = await db.OpenAsync();
        for (var i = 0; i < 500; i++)
        {
            if (await observer.FetchValueAsync<bool>("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", [pid]))
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("The first transaction never waited for the row lock.");
    }
}
