using Npgsql;
using PgKit.Tests.Support;

namespace PgKit.Tests;

public sealed class ErrorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private string authors = "";
    private string books = "";

    public async Task InitializeAsync()
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

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Unique_violation_names_the_constraint_but_not_the_value()
    {
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<UniqueViolationException>(
            () => connection.InsertAsync<int>(authors, new { id = 2, email = "secret-ann@example.com" }));
        Assert.Equal("23505", error.SqlState);
        Assert.Equal("authors_email_key", error.ConstraintName);
        Assert.Equal(authors, error.TableName);
        Assert.Equal("public", error.SchemaName);
        Assert.Contains("authors_email_key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-ann", error.Message, StringComparison.Ordinal);
        Assert.IsType<PostgresException>(error.InnerException);
        Assert.False(error.IsTransient);
        Assert.IsAssignableFrom<System.Data.Common.DbException>(error);
    }

    [Fact]
    public async Task Foreign_key_violation_on_insert_and_delete()
    {
        await using var connection = await db.OpenAsync();
        var insert = await Assert.ThrowsAsync<ForeignKeyViolationException>(() => connection.InsertAsync<int>(books, new { id = 1, author_id = 42 }));
        Assert.Equal(("23503", "books_author_fkey"), (insert.SqlState, insert.ConstraintName));
        Assert.DoesNotContain("42", insert.Message, StringComparison.Ordinal);

        await connection.InsertAsync<int>(books, new { id = 2, author_id = 1 });
        var delete = await Assert.ThrowsAsync<ForeignKeyViolationException>(() => connection.DeleteAsync(authors, new { id = 1 }));
        Assert.Equal("books_author_fkey", delete.ConstraintName);
        await connection.DeleteAsync(books, new { id = 2 });
    }

    [Fact]
    public async Task Not_null_violation_names_the_column()
    {
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<NotNullViolationException>(() => connection.InsertAsync<int>(authors, new { id = 3, email = (string?)null }));
        Assert.Equal(("23502", "email"), (error.SqlState, error.ColumnName));
        Assert.Contains("\"email\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_violation_from_update()
    {
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<CheckViolationException>(() => connection.UpdateAsync<int>(authors, new { id = 1 }, new { age = -5 }));
        Assert.Equal(("23514", "age_positive"), (error.SqlState, error.ConstraintName));
        Assert.DoesNotContain("-5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serialization_failure_is_transient()
    {
        var counters = await db.CreateTableAsync("id int PRIMARY KEY, n int");
        await using var a = await db.OpenAsync();
        await using var b = await db.OpenAsync();
        await a.InsertAsync<int>(counters, new { id = 1, n = 0 });
        await using var ta = await a.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
        await using var tb = await b.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
        Assert.Equal(0, await a.ScalarAsync<int>($"SELECT n FROM {counters} WHERE id = 1"));
        Assert.Equal(0, await b.ScalarAsync<int>($"SELECT n FROM {counters} WHERE id = 1"));
        await a.UpdateAsync<int>(counters, new { id = 1 }, new { n = 1 });
        await ta.CommitAsync();
        var error = await Assert.ThrowsAsync<SerializationFailureException>(() => b.UpdateAsync<int>(counters, new { id = 1 }, new { n = 2 }));
        Assert.Equal("40001", error.SqlState);
        Assert.False(error.IsDeadlock);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Deadlock_is_a_serialization_failure_flagged_as_deadlock()
    {
        var locks = await db.CreateTableAsync("id int PRIMARY KEY");
        await using var a = await db.OpenAsync();
        await using var b = await db.OpenAsync();
        await a.InsertManyAsync(locks, [new { id = 1 }, new { id = 2 }]);
        await a.ExecuteAsync("SET deadlock_timeout = '50ms'");
        await b.ExecuteAsync("SET deadlock_timeout = '50ms'");
        await using var ta = await a.BeginTransactionAsync();
        await using var tb = await b.BeginTransactionAsync();
        await a.ExecuteAsync($"SELECT * FROM {locks} WHERE id = 1 FOR UPDATE");
        await b.ExecuteAsync($"SELECT * FROM {locks} WHERE id = 2 FOR UPDATE");
        var first = a.ExecuteAsync($"SELECT * FROM {locks} WHERE id = 2 FOR UPDATE");
        var second = b.ExecuteAsync($"SELECT * FROM {locks} WHERE id = 1 FOR UPDATE");
        var results = await Task.WhenAll(Capture(first), Capture(second));
        var error = Assert.IsType<SerializationFailureException>(Assert.Single(results, r => r is not null));
        Assert.Equal("40P01", error.SqlState);
        Assert.True(error.IsDeadlock);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Other_errors_propagate_unchanged()
    {
        await using var connection = await db.OpenAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.QueryAsync<int>("SELECT * FROM no_such_table"));
        Assert.Equal("42P01", error.SqlState);
        var translated = PgErrors.Translate(error);
        Assert.Same(error, translated);
    }

    [Fact]
    public void Translate_maps_each_sqlstate()
    {
        static Exception T(string state) => PgErrors.Translate(new PostgresException("m", "ERROR", "ERROR", state));
        Assert.IsType<UniqueViolationException>(T("23505"));
        Assert.IsType<ForeignKeyViolationException>(T("23503"));
        Assert.IsType<NotNullViolationException>(T("23502"));
        Assert.IsType<CheckViolationException>(T("23514"));
        Assert.False(Assert.IsType<SerializationFailureException>(T("40001")).IsDeadlock);
        Assert.True(Assert.IsType<SerializationFailureException>(T("40P01")).IsDeadlock);
        Assert.IsType<PostgresException>(T("22012"));
        Assert.Throws<ArgumentNullException>(() => PgErrors.Translate(null!));
    }

    private static async Task<Exception?> Capture(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
