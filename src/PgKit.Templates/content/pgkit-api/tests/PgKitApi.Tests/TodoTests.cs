using System.Net;
using PgKit;
using PgKit.Testing.AspNetCore;

namespace PgKitApi.Tests;

// Server errors (5xx) and the database log go to the running test's output by themselves (xunit v3's TestContext).
public sealed class TodoTests(TodoApp app) : PostgresAppTest<Program>(app), IClassFixture<TodoApp>
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

    [Theory]
    [InlineData("""{"title":""}""")]
    [InlineData("""{"title":42}""")]
    [InlineData("""{"done":true}""")]
    public async Task Create_WithABadTitle_Is422NamingIt_AndWritesNothing(string body)
    {
        var response = await Client.Http.PostAsync("/todos", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("\"title\"", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        await using var session = await OpenSessionAsync();
        Assert.Equal(0L, await session.CountAsync("todo"));
    }

    [Fact]
    public async Task Get_Unknown_Is404()
    {
        (await Client.GetAsync("/todos/999999")).ShouldBe(HttpStatusCode.NotFound);
    }
}
