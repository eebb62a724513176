using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hazel.Presence.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Hazel.Presence.AspNetCore.Tests;

public sealed class RpcEndpointTests : IAsyncLifetime
{
    private const string Update = "userPresenceStatus.update";
    private const string Heartbeat = "userPresenceStatus.heartbeat";
    private const string ClearStatus = "userPresenceStatus.clearStatus";

    private PresenceTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await PresenceTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("0")]
    [InlineData("\"0\"")]
    [InlineData("7")]
    [InlineData("\"18446744073709551615\"")]
    [InlineData("123456789012345678901234567890")]
    public async Task Request_ids_are_echoed_verbatim_with_their_json_type(string id)
    {
        var lines = await PostLinesAsync(Message(id, Heartbeat, "{}", NewUser()));
        var exit = Assert.Single(lines);
        Assert.Equal(id, exit["requestId"]!.ToJsonString());
        Assert.Equal("Success", (string?)exit["exit"]!["_tag"]);
    }

    [Fact]
    public async Task Both_paths_answer_and_every_line_ends_with_a_newline()
    {
        var user = NewUser();
        foreach (var path in new[] { "/rpc", "/rpc/" })
        {
            var (status, contentType, body) = await PostAsync(Message("1", Heartbeat, "{}", user) + Message("2", ClearStatus, "{}", user), path: path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("application/x-ndjson", contentType);
            Assert.EndsWith("\n", body, StringComparison.Ordinal);
            Assert.Equal(2, body.Count(c => c == '\n'));
        }
    }

    [Fact]
    public async Task The_beta57_content_type_is_answered_in_kind()
    {
        var (_, contentType, _) = await PostAsync(Message("\"1\"", Heartbeat, "{}", NewUser()), contentType: "application/ndjson");
        Assert.Equal("application/ndjson", contentType);
    }

    [Fact]
    public async Task Update_answers_every_record_key_with_utc_millisecond_dates_and_a_numeric_transaction_id()
    {
        var user = NewUser();
        var channel = Guid.NewGuid().ToString();
        var value = Success(Assert.Single(await PostLinesAsync(Message("1", Update, $$"""{"status":"busy","customMessage":"m","statusEmoji":"📅","statusExpiresAt":"2030-01-02T03:04:05.6789012+02:00","activeChannelId":"{{channel}}","suppressNotifications":true}""", user))));
        var data = value["data"]!.AsObject();
        Assert.Equal(["id", "userId", "status", "customMessage", "statusEmoji", "statusExpiresAt", "activeChannelId", "suppressNotifications", "updatedAt", "lastSeenAt"], data.Select(p => p.Key));
        Assert.Equal("2030-01-02T01:04:05.678Z", (string?)data["statusExpiresAt"]);
        Assert.Matches(RestEndpointTests.IsoUtcMillis(), (string?)data["updatedAt"]);
        Assert.Equal(JsonValueKind.Number, value["transactionId"]!.GetValueKind());
        Assert.Equal(user, (string?)data["userId"]);
        Assert.Equal(channel, (string?)data["activeChannelId"]);
    }

    [Fact]
    public async Task Null_status_and_suppressNotifications_keep_the_values_and_unknown_keys_are_ignored()
    {
        var user = NewUser();
        await PostLinesAsync(Message("1", Update, """{"status":"dnd","suppressNotifications":true}""", user));
        var data = Success(Assert.Single(await PostLinesAsync(Message("2", Update, """{"status":null,"suppressNotifications":null,"bogus":{"x":1}}""", user))))["data"]!;
        Assert.Equal("dnd", (string?)data["status"]);
        Assert.True((bool)data["suppressNotifications"]!);
    }

    [Theory]
    [InlineData("customMessage", "\"hello\"")]
    [InlineData("statusEmoji", "\"🍕\"")]
    [InlineData("statusExpiresAt", "\"2030-01-02T03:04:05.678Z\"")]
    [InlineData("activeChannelId", "\"2b6621a4-63ea-459c-964b-18f4357f5b54\"")]
    public async Task Omitted_fields_keep_their_value_and_null_clears(string field, string value)
    {
        var user = NewUser();
        await PostLinesAsync(Message("1", Update, $$"""{"{{field}}":{{value}}}""", user));
        var kept = Success(Assert.Single(await PostLinesAsync(Message("2", Update, """{"status":"away"}""", user))))["data"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(value), kept[field]), kept.ToJsonString());
        var cleared = Success(Assert.Single(await PostLinesAsync(Message("3", Update, $$"""{"{{field}}":null}""", user))))["data"]!;
        Assert.Null(cleared[field]);
        Assert.Equal("away", (string?)cleared["status"]);
    }

    [Fact]
    public async Task Heartbeat_and_clearStatus_answer_their_shapes()
    {
        var user = NewUser();
        var beat = Success(Assert.Single(await PostLinesAsync(Message("1", Heartbeat, "{}", user))));
        Assert.Equal(["lastSeenAt"], beat.AsObject().Select(p => p.Key));

        await PostLinesAsync(Message("2", Update, """{"status":"busy","customMessage":"x","suppressNotifications":true}""", user));
        var cleared = Success(Assert.Single(await PostLinesAsync(Message("3", ClearStatus, "{}", user))));
        Assert.Null(cleared["data"]!["customMessage"]);
        Assert.False((bool)cleared["data"]!["suppressNotifications"]!);
        Assert.Equal("busy", (string?)cleared["data"]!["status"]);
    }

    [Fact]
    public async Task The_message_token_wins_over_the_http_header_which_is_the_fallback()
    {
        var a = NewUser();
        var b = NewUser();
        var fromMessage = Success(Assert.Single(await PostLinesAsync(Message("1", Update, "{}", a), httpAuthorization: "Bearer user:" + b)));
        Assert.Equal(a, (string?)fromMessage["data"]!["userId"]);

        var fromHttp = Success(Assert.Single(await PostLinesAsync(Message("2", Update, "{}", token: null), httpAuthorization: "Bearer user:" + b)));
        Assert.Equal(b, (string?)fromHttp["data"]!["userId"]);
    }

    [Fact]
    public async Task Each_message_of_one_post_is_authenticated_with_its_own_token()
    {
        var a = NewUser();
        var b = NewUser();
        var body = Message("1", Update, """{"customMessage":"from a"}""", a)
            + Message("2", Update, """{"customMessage":"forged"}""", token: "Bearer not-a-valid-token")
            + Message("3", Update, """{"customMessage":"from b"}""", b);

        var lines = await PostLinesAsync(body, httpAuthorization: "Bearer user:" + a);

        Assert.Equal(3, lines.Count);
        Assert.Equal(a, (string?)Success(lines[0])["data"]!["userId"]);
        Assert.Equal("UnauthorizedError", (string?)Fail(lines[1])["_tag"]);
        Assert.Equal(b, (string?)Success(lines[2])["data"]!["userId"]);
        Assert.Equal("from a", (await _host.Presence.GetAsync(a, TestContext.Current.CancellationToken)).CustomMessage);
        Assert.Equal("from b", (await _host.Presence.GetAsync(b, TestContext.Current.CancellationToken)).CustomMessage);
    }

    [Theory]
    [InlineData(null, "Bearer token required")]
    [InlineData("Bearer not-a-valid-token", "Invalid bearer token")]
    [InlineData("Basic dXNlcjpwdw==", "Invalid bearer token")]
    [InlineData("Bearer noid", "The token has no user id")]
    public async Task Authentication_failures_are_typed_UnauthorizedErrors(string? authorization, string detail)
    {
        foreach (var tag in new[] { Update, Heartbeat, ClearStatus })
        {
            var headers = authorization is null ? "[]" : $"""[["authorization","{authorization}"]]""";
            var exit = Assert.Single(await PostLinesAsync($$"""{"_tag":"Request","id":"9","tag":"{{tag}}","payload":{},"headers":{{headers}}}""" + "\n"));
            var error = Fail(exit);
            Assert.Equal("UnauthorizedError", (string?)error["_tag"]);
            Assert.Equal("Unauthorized", (string?)error["message"]);
            Assert.Equal(detail, (string?)error["detail"]);
        }
    }

    [Fact]
    public async Task A_configured_scheme_authenticates_the_messages()
    {
        await using var host = await PresenceTestHost.StartAsync(
            services => services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, OtherAuthHandler>("Other", null),
            o => o.RpcAuthenticationScheme = "Other");
        var user = NewUser();
        var ok = Success(Assert.Single(await PostLinesAsync(host, Message("1", Heartbeat, "{}", token: "Bearer other:" + user))));
        Assert.NotNull(ok["lastSeenAt"]);

        var rejected = Fail(Assert.Single(await PostLinesAsync(host, Message("2", Heartbeat, "{}", user))));
        Assert.Equal("UnauthorizedError", (string?)rejected["_tag"]);
    }

    [Theory]
    [InlineData("text/plain", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("application/x-ndjson", true)]
    [InlineData("application/ndjson", true)]
    public async Task Cookies_authenticate_only_requests_a_browser_cannot_send_cross_site_without_a_preflight(string contentType, bool accepted)
    {
        await using var host = await PresenceTestHost.StartAsync(
            services => services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, CookieUserAuthHandler>("CookieUser", null),
            o => o.RpcAuthenticationScheme = "CookieUser");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/rpc")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Message("1", Heartbeat, "{}", token: "Bearer forged"))),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("Cookie", "user=" + NewUser());

        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var exit = Assert.Single(Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        if (accepted)
        {
            Assert.NotNull(Success(exit)["lastSeenAt"]);
        }
        else
        {
            Assert.Equal("UnauthorizedError", (string?)Fail(exit)["_tag"]);
        }
    }

    [Fact]
    public async Task A_misconfigured_scheme_is_a_typed_InternalServerError()
    {
        await using var host = await PresenceTestHost.StartAsync(endpointOptions: o => o.RpcAuthenticationScheme = "NoSuchScheme");
        var error = Fail(Assert.Single(await PostLinesAsync(host, Message("1", Heartbeat, "{}", NewUser()))));
        Assert.Equal("InternalServerError", (string?)error["_tag"]);
        Assert.Null(error["detail"]);
    }

    public static TheoryData<string, string> BadPayloads => new()
    {
        { """{"status":"invisible"}""", "Expected \"online\" | \"away\" | \"busy\" | \"dnd\" | \"offline\"\n  at [\"status\"]" },
        { """{"suppressNotifications":"yes"}""", "Expected boolean | null\n  at [\"suppressNotifications\"]" },
        { """{"statusExpiresAt":1893553445678}""", "Expected string | null | null\n  at [\"statusExpiresAt\"]" },
        { """{"statusExpiresAt":"soon"}""", "Expected a valid UTC DateTime string\n  at [\"statusExpiresAt\"]" },
        { """{"customMessage":1}""", "Expected string | null\n  at [\"customMessage\"]" },
        { """{"activeChannelId":"general"}""", "Expected a UUID\n  at [\"activeChannelId\"]" },
        { """[]""", "Expected object" },
    };

    [Theory]
    [MemberData(nameof(BadPayloads))]
    public async Task Undecodable_payloads_die_with_the_schema_message(string payload, string defect)
    {
        var user = NewUser();
        var die = Cause(Assert.Single(await PostLinesAsync(Message("\"5\"", Update, payload, user))));
        Assert.Equal("Die", (string?)die["_tag"]);
        Assert.Equal(defect, (string?)die["defect"]);
    }

    [Theory]
    [InlineData("""{"customMessage":"bad\u0007bell"}""", "customMessage")]
    [InlineData("""{"statusEmoji":"two words"}""", "statusEmoji")]
    [InlineData("""{"statusExpiresAt":"2001-01-01T00:00:00Z"}""", "statusExpiresAt")]
    public async Task Values_the_service_rejects_die_naming_the_field_and_change_nothing(string payload, string field)
    {
        var user = NewUser();
        await PostLinesAsync(Message("1", Update, """{"customMessage":"keep"}""", user));
        var die = Cause(Assert.Single(await PostLinesAsync(Message("2", Update, payload, user))));
        Assert.Equal("Die", (string?)die["_tag"]);
        Assert.EndsWith($"\n  at [\"{field}\"]", (string?)die["defect"], StringComparison.Ordinal);
        Assert.Equal("keep", (await _host.Presence.GetAsync(user, TestContext.Current.CancellationToken)).CustomMessage);
    }

    [Fact]
    public async Task A_long_custom_message_dies_naming_customMessage()
    {
        var payload = JsonSerializer.Serialize(new { customMessage = new string('x', 256) });
        var die = Cause(Assert.Single(await PostLinesAsync(Message("1", Update, payload, NewUser()))));
        Assert.Contains("at [\"customMessage\"]", (string?)die["defect"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_with_a_known_id_never_get_a_top_level_defect()
    {
        var user = NewUser();
        var body = Message("1", "userPresenceStatus.nope", "{}", user)
            + """{"_tag":"Request","id":2,"payload":{},"headers":[]}""" + "\n"
            + """{"_tag":"Request","id":3,"tag":"userPresenceStatus.heartbeat","headers":[]}""" + "\n"
            + """{"_tag":"Request","id":4,"tag":"userPresenceStatus.heartbeat","payload":{}}""" + "\n";
        var lines = await PostLinesAsync(body);
        Assert.Equal(4, lines.Count);
        Assert.All(lines, line => Assert.Equal("Exit", (string?)line["_tag"]));
        Assert.Equal("Unknown request tag: userPresenceStatus.nope", (string?)Cause(lines[0])["defect"]);
        Assert.Equal("Unknown request tag: undefined", (string?)Cause(lines[1])["defect"]);
        Assert.Equal("Expected object | array", (string?)Cause(lines[2])["defect"]);
        Assert.Equal("UnauthorizedError", (string?)Fail(lines[3])["_tag"]);
    }

    [Fact]
    public async Task Lines_without_a_usable_id_get_a_top_level_defect_and_the_others_are_still_answered()
    {
        var user = NewUser();
        var body = "not json\n"
            + """{"_tag":"Request","id":null,"tag":"userPresenceStatus.heartbeat","payload":{},"headers":[]}""" + "\n"
            + """{"_tag":"Ping"}""" + "\n"
            + Message("\"4\"", Heartbeat, "{}", user);
        var lines = await PostLinesAsync(body);
        Assert.Equal(["Defect", "Defect", "Pong", "Exit"], lines.Select(l => (string?)l["_tag"]));
        Assert.Equal("NdjsonDecodeError", (string?)lines[0]["defect"]!["name"]);
        Assert.Equal("Invalid request id: null", (string?)lines[1]["defect"]);
        Assert.Equal("\"4\"", lines[3]["requestId"]!.ToJsonString());
    }

    [Fact]
    public async Task A_failing_store_is_a_typed_InternalServerError_without_internals()
    {
        await using var host = await PresenceTestHost.StartAsync(services => services.AddSingleton<IPresenceStore, ThrowingStore>());
        var user = NewUser();
        var (status, _, body) = await PostAsync(host, Message("1", Update, "{}", user) + Message("2", Heartbeat, "{}", user) + Message("3", ClearStatus, "{}", user));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(ThrowingStore.Secret, body, StringComparison.Ordinal);
        var lines = Parse(body);
        Assert.Equal(3, lines.Count);
        Assert.All(lines, line =>
        {
            var error = Fail(line);
            Assert.Equal("InternalServerError", (string?)error["_tag"]);
            Assert.False(string.IsNullOrEmpty((string?)error["message"]));
            Assert.Null(error["detail"]);
        });
        Assert.Equal("Error updating UserPresenceStatus", (string?)Fail(lines[0])["message"]);
    }

    [Fact]
    public async Task A_body_over_one_MiB_is_413()
    {
        var (status, _, _) = await PostAsync(new string(' ', 1024 * 1024 + 1) + "\n");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task Two_users_are_isolated()
    {
        var a = NewUser();
        var b = NewUser();
        var recordA = Success(Assert.Single(await PostLinesAsync(Message("1", Update, """{"status":"busy","customMessage":"A"}""", a))))["data"]!;
        var recordB = Success(Assert.Single(await PostLinesAsync(Message("2", Update, """{"status":"dnd"}""", b))))["data"]!;
        Assert.NotEqual((string?)recordA["id"], (string?)recordB["id"]);
        Assert.Null(recordB["customMessage"]);
        var againA = Success(Assert.Single(await PostLinesAsync(Message("3", Update, "{}", a))))["data"]!;
        Assert.Equal("busy", (string?)againA["status"]);
        Assert.Equal("A", (string?)againA["customMessage"]);
    }

    private static string NewUser() => Guid.NewGuid().ToString();

    /// <summary>One Request line as Hazel's client writes it; <paramref name="token"/> is a user id or a full header value.</summary>
    private static string Message(string id, string tag, string payload, string? token)
    {
        var authorization = token is null ? null : token.StartsWith("Bearer ", StringComparison.Ordinal) ? token : "Bearer user:" + token;
        var headers = authorization is null ? "[]" : $"""[["authorization",{JsonSerializer.Serialize(authorization)}]]""";
        return $$"""{"_tag":"Request","id":{{id}},"tag":"{{tag}}","payload":{{payload}},"traceId":"e0b4e92d2d5ec3e8bcb3c8e25f830f9c","spanId":"139d63e12e4ae2c4","sampled":true,"headers":{{headers}}}""" + "\n";
    }

    private Task<(HttpStatusCode Status, string? ContentType, string Body)> PostAsync(string body, string? httpAuthorization = null, string contentType = "application/x-ndjson", string path = "/rpc") =>
        PostAsync(_host, body, httpAuthorization, contentType, path);

    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> PostAsync(PresenceTestHost host, string body, string? httpAuthorization = null, string contentType = "application/x-ndjson", string path = "/rpc")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (httpAuthorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", httpAuthorization);
        }

        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private Task<List<JsonNode>> PostLinesAsync(string body, string? httpAuthorization = null) => PostLinesAsync(_host, body, httpAuthorization);

    private static async Task<List<JsonNode>> PostLinesAsync(PresenceTestHost host, string body, string? httpAuthorization = null)
    {
        var (status, _, text) = await PostAsync(host, body, httpAuthorization);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(text.Length == 0 || text.EndsWith('\n'));
        return Parse(text);
    }

    private static List<JsonNode> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

    private static JsonNode Success(JsonNode exit)
    {
        Assert.True((string?)exit["exit"]?["_tag"] == "Success", exit.ToJsonString());
        return exit["exit"]!["value"]!;
    }

    private static JsonNode Cause(JsonNode exit)
    {
        Assert.True((string?)exit["exit"]?["_tag"] == "Failure", exit.ToJsonString());
        return Assert.Single(exit["exit"]!["cause"]!.AsArray())!;
    }

    private static JsonNode Fail(JsonNode exit)
    {
        var cause = Cause(exit);
        Assert.Equal("Fail", (string?)cause["_tag"]);
        return cause["error"]!;
    }
}

/// <summary>A second scheme: accepts only <c>Bearer other:&lt;id&gt;</c>.</summary>
internal sealed class OtherAuthHandler(Microsoft.Extensions.Options.IOptionsMonitor<AuthenticationSchemeOptions> options, Microsoft.Extensions.Logging.ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer other:", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.Fail("not ours"));
        }

        var identity = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", header["Bearer other:".Length..])], "Other");
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(identity), "Other")));
    }
}

/// <summary>A cookie-based scheme: <c>Cookie: user=&lt;id&gt;</c> signs the user in, whatever the token says.</summary>
internal sealed class CookieUserAuthHandler(Microsoft.Extensions.Options.IOptionsMonitor<AuthenticationSchemeOptions> options, Microsoft.Extensions.Logging.ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.TryGetValue("user", out var user) || string.IsNullOrEmpty(user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", user)], "CookieUser");
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(identity), "CookieUser")));
    }
}
