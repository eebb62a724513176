using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hazel.Presence.SampleHost.Tests;

/// <summary>The sample page in a real browser: Debian's Chromium driven by Playwright, two users at once.</summary>
public sealed class PresencePageTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    // "Within a second" of a change, plus slack for a shared two-core CI machine.
    private static readonly LocatorAssertionsToHaveAttributeOptions Promptly = new() { Timeout = 2_000 };
    private static readonly LocatorAssertionsToHaveTextOptions PromptlyText = new() { Timeout = 2_000 };

    [Fact]
    public async Task Two_users_see_each_others_presence_live_and_going_offline_after_the_timeout()
    {
        var chromium = ChromiumOrSkip();
        await using var host = await SampleHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Presence:OfflineAfter"] = "00:00:03",
            ["Presence:SweepInterval"] = "00:00:00.5",
        });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium);
        var pageErrors = new List<string>();
        var alicePage = await OpenPageAsync(browser, host, pageErrors);
        var bobPage = await OpenPageAsync(browser, host, pageErrors);

        await SignInAsync(alicePage, "alice");
        await SignInAsync(bobPage, "bob");
        var aliceOnBob = bobPage.Locator("[data-testid=user-row][data-user-name=alice]");
        await Expect(aliceOnBob).ToHaveAttributeAsync("data-status", "online", new() { Timeout = 5_000 });
        await Expect(alicePage.GetByTestId("last-seen")).Not.ToHaveTextAsync("never");

        // Bad input is explained in words and changes nothing.
        await alicePage.GetByTestId("status-emoji").FillAsync("not an emoji");
        await alicePage.GetByTestId("save-status").ClickAsync();
        await Expect(alicePage.GetByTestId("error")).ToContainTextAsync("Emoji:");
        await SaveScreenshotAsync(alicePage, "sample-page-alice-validation-error.png");
        await Expect(aliceOnBob).ToHaveAttributeAsync("data-status", "online");

        await alicePage.GetByTestId("status-dnd").CheckAsync();
        await alicePage.GetByTestId("custom-message").FillAsync("Deep work");
        await alicePage.GetByTestId("status-emoji").FillAsync("🎧");
        await alicePage.GetByTestId("status-expiry").SelectOptionAsync("1h");
        await alicePage.GetByTestId("save-status").ClickAsync();

        await Expect(aliceOnBob).ToHaveAttributeAsync("data-status", "dnd", Promptly);
        await Expect(aliceOnBob.GetByTestId("user-message")).ToHaveTextAsync("Deep work", PromptlyText);
        await Expect(aliceOnBob.GetByTestId("user-emoji")).ToHaveTextAsync("🎧", PromptlyText);
        await Expect(aliceOnBob.GetByTestId("user-status")).ToHaveTextAsync("Do not disturb");
        await Expect(aliceOnBob.GetByTestId("user-expiry")).ToContainTextAsync("clears in");
        await Expect(alicePage.GetByTestId("error")).ToBeHiddenAsync();
        await SaveScreenshotAsync(bobPage, "sample-page-bob-sees-alice-dnd.png");

        await alicePage.GetByTestId("clear-status").ClickAsync();

        await Expect(aliceOnBob.GetByTestId("user-message")).ToHaveCountAsync(0, new() { Timeout = 2_000 });
        await Expect(aliceOnBob.GetByTestId("user-emoji")).ToHaveCountAsync(0);
        await Expect(aliceOnBob).ToHaveAttributeAsync("data-status", "dnd");

        // Alice leaves without a word: only the missing heartbeats tell the server.
        await alicePage.Context.CloseAsync();

        await Expect(aliceOnBob).ToHaveAttributeAsync("data-status", "offline", new() { Timeout = 10_000 });
        await Expect(bobPage.Locator("[data-testid=user-row][data-user-name=bob]")).ToHaveAttributeAsync("data-status", "online");

        await SaveScreenshotAsync(bobPage, "sample-page-bob-sees-alice-offline.png");
        Assert.Empty(pageErrors);
    }

    [Fact]
    public async Task A_rejected_token_sends_the_person_back_to_sign_in_with_a_reason()
    {
        var chromium = ChromiumOrSkip();
        await using var host = await SampleHost.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium);
        var pageErrors = new List<string>();

        // A session the server no longer accepts (e.g. signed with an old key), stored by an earlier visit;
        // set before the page's scripts run so the page finds it on load.
        var page = await OpenPageAsync(browser, host, pageErrors, initScript: """
            sessionStorage.setItem("hazel-presence-sample-session", JSON.stringify({
              token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
              userId: "x", userName: "x", expiresAt: new Date(Date.now() + 3600000).toISOString() }))
            """);

        await Expect(page.GetByTestId("error")).ToContainTextAsync("sign in again");
        await Expect(page.Locator("#sign-in-form")).ToBeVisibleAsync();
        Assert.Empty(pageErrors);
    }

    [Fact]
    public async Task The_page_stream_parser_handles_split_lines_comments_multi_line_data_and_split_characters()
    {
        var chromium = ChromiumOrSkip();
        await using var host = await SampleHost.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium);
        var page = await OpenPageAsync(browser, host, []);

        var events = await page.EvaluateAsync<string>("""
            async () => {
              const { readEventStream } = await import("/js/sse.js");
              const bytes = (text) => new TextEncoder().encode(text);
              const emoji = bytes("data: 🎧\n\n");
              const chunks = [
                // A CRLF split between chunks must not read as an empty line (which would dispatch early).
                bytes("id: 1\r\nevent: presence\r\ndata: {\"a\":\r"), bytes("\ndata: 1}\r\n\r\n: keep-alive\n\n"),
                bytes("data: x\ndata:y\n\nid: 7\nevent: presence\ndata: z\n\n"),
                emoji.slice(0, 8), emoji.slice(8),
              ];
              const body = new ReadableStream({ start(c) { chunks.forEach((chunk) => c.enqueue(chunk)); c.close(); } });
              const seen = [];
              await readEventStream(body, (e) => seen.push(e));
              return JSON.stringify(seen);
            }
            """);

        Assert.Equal(
            """[{"id":"1","event":"presence","data":"{\"a\":\n1}"},{"id":"1","event":"message","data":"x\ny"},{"id":"7","event":"presence","data":"z"},{"id":"7","event":"message","data":"🎧"}]""",
            events);
    }

    private static string ChromiumOrSkip()
    {
        if (File.Exists(ChromiumPath))
        {
            return ChromiumPath;
        }

        const string install = "install Debian's Chromium with `apt-get install -y chromium` (.ci/setup.d/30-chromium.sh)";
        if (Environment.GetEnvironmentVariable("HAZEL_REQUIRE_E2E") == "1")
        {
            Assert.Fail($"{ChromiumPath} is missing and HAZEL_REQUIRE_E2E=1 makes the browser test mandatory; {install}.");
        }

        Assert.Skip($"{ChromiumPath} is missing, so the browser test cannot run; {install}.");
        return ChromiumPath;
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright, string chromium) =>
        playwright.Chromium.LaunchAsync(new()
        {
            // Never a downloaded browser: the distribution's Chromium with flags that suit a container.
            ExecutablePath = chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });

    private static async Task<IPage> OpenPageAsync(IBrowser browser, SampleHost host, List<string> pageErrors, string? initScript = null)
    {
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = host.BaseAddress.ToString(),
            ViewportSize = new() { Width = 1100, Height = 760 },
        });
        if (initScript is not null)
        {
            await context.AddInitScriptAsync(initScript);
        }

        var page = await context.NewPageAsync();
        page.PageError += (_, error) => pageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"browser console: {message.Text}");
            }
        };
        await page.GotoAsync("/");
        return page;
    }

    private static async Task SignInAsync(IPage page, string userName)
    {
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-name")).ToHaveTextAsync(userName);
        await Expect(page.GetByTestId("stream-state")).ToHaveAttributeAsync("data-state", "live");
        // The form is filled from the server once after sign-in; wait for it before editing.
        await Expect(page.GetByTestId("status-online")).ToBeCheckedAsync();
    }

    private static async Task SaveScreenshotAsync(IPage page, string fileName)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        var png = await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        // The runner adds the extension for the media type.
        TestContext.Current.AddAttachment(Path.GetFileNameWithoutExtension(fileName), png, "image/png");
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot of the page: {path}");
        TestContext.Current.SendDiagnosticMessage($"Screenshot of the page: {path}");
    }
}
