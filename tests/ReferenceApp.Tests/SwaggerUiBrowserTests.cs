using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ReferenceApp.Tests.Support;

namespace ReferenceApp.Tests;

/// <summary>
/// Swagger UI in a real browser: Debian's chromium (PGKIT_CHROMIUM, else /usr/bin/chromium) driven by Playwright,
/// against the app on a Kestrel port. Fails, never skips, when chromium is missing.
/// </summary>
public sealed class SwaggerUiBrowserTests(KestrelReferenceAppFactory app) : IClassFixture<KestrelReferenceAppFactory>
{
    [Fact]
    public async Task Docs_TryItOut_PostAuthors_Answers201()
    {
        var chromium = Environment.GetEnvironmentVariable("PGKIT_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(File.Exists(chromium),
            $"Chromium is missing at {chromium}: the browser test needs it. Install it with 'apt-get install chromium' " +
            "(.ci/run does, through ensure_chromium) or set PGKIT_CHROMIUM to a Chromium executable.");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1600 } });
        page.SetDefaultTimeout(15_000);

        await page.GotoAsync(new Uri(app.BaseAddress, "/docs").ToString());

        // Swagger UI names each operation block after its tag and operationId.
        var operation = page.Locator("#operations-Authors-CreateAuthor");
        await operation.Locator(".opblock-summary").ClickAsync();
        await operation.GetByRole(AriaRole.Button, new() { Name = "Try it out" }).ClickAsync();
        await operation.Locator("textarea.body-param__text").FillAsync("""{"first_name":"Ada","last_name":"Lovelace"}""");
        await operation.GetByRole(AriaRole.Button, new() { Name = "Execute" }).ClickAsync();

        var live = operation.Locator(".live-responses-table .response");
        await Assertions.Expect(live.Locator(".response-col_status")).ToHaveTextAsync("201");
        var body = JsonNode.Parse(await live.Locator(".response-col_description pre.microlight").First.InnerTextAsync())!;
        Assert.Equal("Ada", (string?)body["first_name"]);

        var folder = Environment.GetEnvironmentVariable("PGKIT_SCREENSHOTS") is { Length: > 0 } directory
            ? directory
            : Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var screenshot = Path.Combine(folder, "docs-post-authors-201.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0);
    }
}
