using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hazel.Presence.SampleHost.Auth;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Hazel.Presence.SampleHost.Tests;

public sealed class HostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_in_issues_a_token_that_the_presence_endpoints_accept()
    {
        await using var host = await SampleHost.StartAsync();
        var alice = await host.SignInAsync("alice");

        Assert.Equal("Bearer", alice.TokenType);
        Assert.Equal("alice", alice.UserName);
        Assert.InRange(alice.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromHours(7.9), TimeSpan.FromHours(8.1));

        using var patch = SampleHost.Authorized(HttpMethod.Patch, "/presence/me", alice.AccessToken);
        patch.Content = JsonContent.Create(new { status = "busy", customMessage = "In a meeting" });
        using var patched = await host.Client.SendAsync(patch, Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        using var get = SampleHost.Authorized(HttpMethod.Get, "/presence/me", alice.AccessToken);
        using var response = await host.Client.SendAsync(get, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(alice.UserId, me.RootElement.GetProperty("userId").GetString());
        Assert.Equal("busy", me.RootElement.GetProperty("status").GetString());
        Assert.Equal("In a meeting", me.RootElement.GetProperty("customMessage").GetString());
    }

    [Fact]
    public async Task The_same_user_name_always_gets_the_same_version_5_user_id()
    {
        await using var host = await SampleHost.StartAsync();
        var first = await host.SignInAsync("Alice");
        var again = await host.SignInAsync("  alice ");
        var bob = await host.SignInAsync("bob");

        Assert.Equal(first.UserId, again.UserId);
        Assert.NotEqual(first.UserId, bob.UserId);
        Assert.Equal(5, Guid.Parse(first.UserId).Version);
        Assert.Equal(UserIds.For("alice").ToString(), first.UserId);
    }

    [Fact]
    public async Task The_Effect_RPC_endpoint_accepts_the_sample_token_in_the_message_headers()
    {
        await using var host = await SampleHost.StartAsync();
        var alice = await host.SignInAsync("alice");
        // One NDJSON line as Hazel Chat's client sends it: the token travels in the message, not the HTTP headers.
        var line = JsonSerializer.Serialize(new
        {
            _tag = "Request",
            id = "1",
            tag = "userPresenceStatus.update",
            payload = new { status = "away", customMessage = "Lunch" },
            headers = new[] { new[] { "authorization", $"Bearer {alice.AccessToken}" } },
        }) + "\n";

        using var response = await host.Client.PostAsync("/rpc", new StringContent(line, System.Text.Encoding.UTF8, "application/ndjson"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var exit = JsonDocument.Parse(body.TrimEnd('\n'));
        Assert.Equal("Success", exit.RootElement.GetProperty("exit").GetProperty("_tag").GetString());
        var data = exit.RootElement.GetProperty("exit").GetProperty("value").GetProperty("data");
        Assert.Equal(alice.UserId, data.GetProperty("userId").GetString());
        Assert.Equal("away", data.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Sign_in_rejects_a_blank_user_name_with_a_field_error()
    {
        await using var host = await SampleHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync("/auth/sign-in", new { userName = "   " }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Enter a user name.", problem.RootElement.GetProperty("errors").GetProperty("userName")[0].GetString());
    }

    [Fact]
    public async Task Sign_in_does_not_exist_outside_Development()
    {
        await using var host = await SampleHost.StartAsync(environment: "Production");

        using var signIn = await host.Client.PostAsJsonAsync("/auth/sign-in", new { userName = "alice" }, Ct);
        using var config = JsonDocument.Parse(await host.Client.GetStringAsync("/sample/config", Ct));

        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
        Assert.False(config.RootElement.GetProperty("signInAvailable").GetBoolean());
    }

    [Fact]
    public async Task Presence_endpoints_reject_requests_without_a_token()
    {
        await using var host = await SampleHost.StartAsync();

        using var response = await host.Client.GetAsync("/presence/me", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_rejected_and_the_challenge_says_so()
    {
        var key = Convert.ToBase64String(new byte[32]);
        await using var host = await SampleHost.StartAsync(settings: new Dictionary<string, string?> { ["Auth:SigningKey"] = key });
        var issuer = new TokenIssuer(new SymmetricSecurityKey(new byte[32]), new ConfigurationBuilder().Build());
        var (token, _) = issuer.Issue(UserIds.For("alice").ToString(), "alice", DateTimeOffset.UtcNow.AddHours(-9));

        using var request = SampleHost.Authorized(HttpMethod.Get, "/presence/me", token);
        using var response = await host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_signing_key_is_generated_once_into_the_data_folder_and_reused_after_a_restart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("hazel-sample-").FullName;
        try
        {
            SignInResponse alice;
            await using (var first = await SampleHost.StartAsync(dataDirectory: dataDirectory))
            {
                alice = await first.SignInAsync("alice");
            }

            var keyFile = Path.Combine(dataDirectory, SigningKeys.FileName);
            Assert.True(File.Exists(keyFile));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            }

            await using var second = await SampleHost.StartAsync(dataDirectory: dataDirectory);
            using var request = SampleHost.Authorized(HttpMethod.Get, "/presence/me", alice.AccessToken);
            using var response = await second.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Presence_is_stored_in_SQLite_under_the_data_folder_and_survives_a_restart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("hazel-sample-").FullName;
        try
        {
            SignInResponse alice;
            await using (var first = await SampleHost.StartAsync(dataDirectory: dataDirectory))
            {
                alice = await first.SignInAsync("alice");
                using var patch = SampleHost.Authorized(HttpMethod.Patch, "/presence/me", alice.AccessToken);
                patch.Content = JsonContent.Create(new { status = "away", customMessage = "Back soon" });
                (await first.Client.SendAsync(patch, Ct)).EnsureSuccessStatusCode();
            }

            Assert.True(File.Exists(Path.Combine(dataDirectory, "presence.db")));
            await using var second = await SampleHost.StartAsync(dataDirectory: dataDirectory);
            using var get = SampleHost.Authorized(HttpMethod.Get, "/presence/me", alice.AccessToken);
            using var me = JsonDocument.Parse(await (await second.Client.SendAsync(get, Ct)).Content.ReadAsStringAsync(Ct));
            Assert.Equal("Back soon", me.RootElement.GetProperty("customMessage").GetString());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task The_memory_store_can_be_chosen_and_writes_no_database()
    {
        await using var host = await SampleHost.StartAsync(settings: new Dictionary<string, string?> { ["Sample:Store"] = "memory" });
        var alice = await host.SignInAsync("alice");

        using var request = SampleHost.Authorized(HttpMethod.Post, "/presence/me/heartbeat", alice.AccessToken);
        using var response = await host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(File.Exists(Path.Combine(host.DataDirectory, "presence.db")));
    }

    [Fact]
    public async Task Health_and_the_OpenAPI_document_respond()
    {
        await using var host = await SampleHost.StartAsync();

        using var health = await host.Client.GetAsync("/health", Ct);
        var openApi = await host.Client.GetStringAsync("/openapi/v1.json", Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(Ct));
        using var document = JsonDocument.Parse(openApi);
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/presence/me", out _), "the presence endpoints are described");
        Assert.True(paths.TryGetProperty("/auth/sign-in", out _), "the Development sign-in is described");
    }

    [Fact]
    public async Task The_page_is_served_at_the_root()
    {
        await using var host = await SampleHost.StartAsync();

        var html = await host.Client.GetStringAsync("/", Ct);
        using var script = await host.Client.GetAsync("/js/app.js", Ct);

        Assert.Contains("<title>Hazel Presence sample</title>", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task The_noop_benchmark_endpoint_is_absent_unless_configured()
    {
        await using var host = await SampleHost.StartAsync();
        var alice = await host.SignInAsync("alice");

        using var request = SampleHost.Authorized(HttpMethod.Post, "/bench/noop", alice.AccessToken);
        using var response = await host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_noop_benchmark_endpoint_when_configured_requires_a_token_and_returns_204()
    {
        await using var host = await SampleHost.StartAsync(settings: new Dictionary<string, string?> { ["Benchmark:MapNoopEndpoint"] = "true" });
        var alice = await host.SignInAsync("alice");

        using var anonymous = await host.Client.PostAsync("/bench/noop", content: null, Ct);
        using var request = SampleHost.Authorized(HttpMethod.Post, "/bench/noop", alice.AccessToken);
        using var authorized = await host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, authorized.StatusCode);
    }

    [Fact]
    public async Task An_unknown_store_name_fails_at_start_up_with_the_choices()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SampleHost.StartAsync(settings: new Dictionary<string, string?> { ["Sample:Store"] = "postgres" }));

        Assert.Contains("'sqlite'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'memory'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_heartbeat_interval_given_to_the_page_follows_the_offline_timeout()
    {
        await using var host = await SampleHost.StartAsync(settings: new Dictionary<string, string?> { ["Presence:OfflineAfter"] = "00:00:06", ["Presence:SweepInterval"] = "00:00:01" });

        using var config = JsonDocument.Parse(await host.Client.GetStringAsync("/sample/config", Ct));

        Assert.Equal(2, config.RootElement.GetProperty("heartbeatIntervalSeconds").GetDouble());
        Assert.Equal(6, config.RootElement.GetProperty("offlineAfterSeconds").GetDouble());
        Assert.True(config.RootElement.GetProperty("signInAvailable").GetBoolean());
    }
}
