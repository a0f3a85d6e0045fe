using System.Net;
using PgKit;
using PgKit.Testing.AspNetCore;
using Xunit.Abstractions;

namespace PgKitApi.Tests;

public sealed class TodoTests(TodoApp app, ITestOutputHelper output) : PostgresAppTest<Program>(app, output), IClassFixture<TodoApp>
{
    [Fact]
    public async Task Create_ThenGet_ReturnsTheTodo()
    {
        var created = (await Client.PostAsync("/todos", new { title = "Write the first test" })).ShouldBe(HttpStatusCode.Created).Json<Todo>();

        var fetched = (await Client.GetAsync($"/todos/{created.Id}")).ShouldBe(HttpStatusCode.OK).Json<Todo>();

        Assert.Equal("Write the first test", fetched.Title);
        Assert.False(fetched.Done);
    }

    [Fact]
    public async Task Create_IsCommittedToTheDatabase()
    {
        (await Client.PostAsync("/todos", new { title = "Stored" })).ShouldBe(HttpStatusCode.Created);

        await using var session = await OpenSessionAsync();
        Assert.Equal(1L, await session.CountAsync("todo", new { title = "Stored" }));
    }

    [Fact]
    public async Task Create_WithoutATitle_IsRejected_AndWritesNothing()
    {
        var response = await Client.PostAsync("/todos", new { title = "" });

        Assert.True(response.Status is 400 or 422, response.ToString());
        await using var session = await OpenSessionAsync();
        Assert.Equal(0L, await session.CountAsync("todo"));
    }

    [Fact]
    public async Task Get_Unknown_Is404()
    {
        (await Client.GetAsync("/todos/999999")).ShouldBe(HttpStatusCode.NotFound);
    }
}
