using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit;

namespace PgKit.Testing.AspNetCore;

/// <summary>
/// An <see cref="HttpClient"/> for the app under test that writes request bodies and reads responses with the app's own
/// JSON options (snake_case names included). A 5xx response writes the body and the tail of the PostgreSQL server's log to
/// the test output (the one given, else the current test's, from xunit v3's <c>TestContext</c>), so a failure caused by
/// the database shows its cause.
/// </summary>
public sealed class JsonClient
{
    private readonly TestPostgres? _server;
    private readonly ITestOutputHelper? _output;

    internal JsonClient(HttpClient http, JsonSerializerOptions jsonOptions, TestPostgres? server, ITestOutputHelper? output)
    {
        Http = http;
        JsonOptions = jsonOptions;
        _server = server;
        _output = output;
    }

    /// <summary>Gets the underlying client, for requests the helpers do not cover.</summary>
    public HttpClient Http { get; }

    /// <summary>Gets the app's JSON options.</summary>
    public JsonSerializerOptions JsonOptions { get; }

    /// <summary>Sends a GET request.</summary>
    /// <param name="uri">The relative URI.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, read in full.</returns>
    public Task<ApiResponse> GetAsync(string uri, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, uri, body: null, cancellationToken);

    /// <summary>Sends a POST request with a JSON body.</summary>
    /// <param name="uri">The relative URI.</param>
    /// <param name="body">The body, serialized with the app's options; a <see cref="string"/> is sent as is (for malformed JSON).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, read in full.</returns>
    public Task<ApiResponse> PostAsync(string uri, object? body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, uri, body, cancellationToken);

    /// <summary>Sends a PUT request with a JSON body.</summary>
    /// <param name="uri">The relative URI.</param>
    /// <param name="body">The body; see <see cref="PostAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, read in full.</returns>
    public Task<ApiResponse> PutAsync(string uri, object? body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, uri, body, cancellationToken);

    /// <summary>Sends a PATCH request with a JSON body.</summary>
    /// <param name="uri">The relative URI.</param>
    /// <param name="body">The body; see <see cref="PostAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, read in full.</returns>
    public Task<ApiResponse> PatchAsync(string uri, object? body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, uri, body, cancellationToken);

    /// <summary>Sends a DELETE request.</summary>
    /// <param name="uri">The relative URI.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, read in full.</returns>
    public Task<ApiResponse> DeleteAsync(string uri, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, uri, body: null, cancellationToken);

    /// <summary>Sends a request with an optional JSON body.</summary>
    /// <param name="method">The method.</param>
    /// <param name="uri">The relative URI.</param>
    /// <param name="body">The body, or null for none; see <see cref="PostAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, read in full.</returns>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string uri, object? body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body, body.GetType(), JsonOptions);
            request.Content = new StringContent(text, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var content = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var result = new ApiResponse(method, uri, response, content, JsonOptions);
        // Without an explicit output, the test running now (a client made in a fixture serves several tests).
        if (result.Status >= 500 && (_output ?? TestContext.Current.TestOutputHelper) is { } output)
        {
            output.WriteLine(result.ToString());
            if (_server?.ReadLogTail(30) is { Length: > 0 } tail)
            {
                output.WriteLine("PostgreSQL log (last lines):" + Environment.NewLine + tail);
            }
        }

        return result;
    }
}
