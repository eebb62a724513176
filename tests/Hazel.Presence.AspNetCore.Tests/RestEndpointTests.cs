using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hazel.Presence.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hazel.Presence.AspNetCore.Tests;

public sealed partial class RestEndpointTests : IAsyncLifetime
{
    private static readonly string[] RecordKeys =
        ["id", "userId", "status", "customMessage", "statusEmoji", "statusExpiresAt", "activeChannelId", "suppressNotifications", "updatedAt", "lastSeenAt", "transactionId"];

    private PresenceTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await PresenceTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string> Routes => new()
    {
        { "PATCH", "/presence/me" },
        { "POST", "/presence/me/heartbeat" },
        { "DELETE", "/presence/me/custom-status" },
        { "GET", "/presence/me" },
        { "GET", "/presence/users/someone" },
        { "GET", "/presence/users?ids=a&ids=b" },
        { "GET", "/presence/channels/general" },
        { "GET", "/presence/stream" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_answers_401_without_authentication(string method, string path)
    {
        using var response = await _host.SendAsync(new HttpMethod(method), path, user: null, json: method == "PATCH" ? "{}" : null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_answers_401_for_an_invalid_token(string method, string path)
    {
        using var response = await _host.SendAsync(new HttpMethod(method), path, user: "bad-token", json: method == "PATCH" ? "{}" : null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_answers_401_when_the_principal_has_no_user_id(string method, string path)
    {
        using var response = await _host.SendAsync(new HttpMethod(method), path, user: "noid", json: method == "PATCH" ? "{}" : null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_answers_200_when_authenticated(string method, string path)
    {
        using var request = _host.Request(new HttpMethod(method), path, NewUser(), json: method == "PATCH" ? "{}" : null);
        using var response = await _host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(path.Contains("stream", StringComparison.Ordinal) ? "text/event-stream" : "application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Patch_sets_every_field_and_answers_data_and_transactionId()
    {
        var user = NewUser();
        var result = await PatchOkAsync(user, """
            {"status":"busy","customMessage":"Deep work — back at 3","statusEmoji":"📅","statusExpiresAt":"2030-01-02T03:04:05.678Z","activeChannelId":"c1","suppressNotifications":true}
            """);

        Assert.Equal(["data", "transactionId"], result.AsObject().Select(p => p.Key));
        var data = result["data"]!.AsObject();
        Assert.Equal(RecordKeys, data.Select(p => p.Key));
        Assert.Equal(user, (string?)data["userId"]);
        Assert.Equal("busy", (string?)data["status"]);
        Assert.Equal("Deep work — back at 3", (string?)data["customMessage"]);
        Assert.Equal("📅", (string?)data["statusEmoji"]);
        Assert.Equal("2030-01-02T03:04:05.678Z", (string?)data["statusExpiresAt"]);
        Assert.Equal("c1", (string?)data["activeChannelId"]);
        Assert.True((bool)data["suppressNotifications"]!);
        Assert.Matches(IsoUtcMillis(), (string?)data["updatedAt"]);
        Assert.Matches(IsoUtcMillis(), (string?)data["lastSeenAt"]);
        Assert.Equal(JsonValueKind.Number, result["transactionId"]!.GetValueKind());
        Assert.Equal((long)result["transactionId"]!, (long)data["transactionId"]!);
        Assert.True(Guid.TryParse((string?)data["id"], out var id) && id != Guid.Empty);
    }

    public static TheoryData<string, string> ClearableFields => new()
    {
        { "customMessage", "\"hello\"" },
        { "statusEmoji", "\"🍕\"" },
        { "statusExpiresAt", "\"2030-01-02T03:04:05.678Z\"" },
        { "activeChannelId", "\"c9\"" },
    };

    [Theory]
    [MemberData(nameof(ClearableFields))]
    public async Task Patch_missing_field_keeps_it_and_null_clears_only_it(string field, string value)
    {
        var user = NewUser();
        await PatchOkAsync(user, """{"status":"away","customMessage":"m","statusEmoji":"🎧","statusExpiresAt":"2031-01-01T00:00:00.000Z","activeChannelId":"c1","suppressNotifications":true}""");
        var set = (await PatchOkAsync(user, $$"""{"{{field}}":{{value}}}"""))["data"]!;
        Assert.Equal(JsonNode.Parse(value)!.ToJsonString(), set[field]!.ToJsonString());

        var kept = (await PatchOkAsync(user, "{}"))["data"]!;
        Assert.Equal(set[field]!.ToJsonString(), kept[field]!.ToJsonString());

        var cleared = (await PatchOkAsync(user, $$"""{"{{field}}":null}"""))["data"]!;
        Assert.Null(cleared[field]);
        foreach (var other in new[] { "customMessage", "statusEmoji", "statusExpiresAt", "activeChannelId" }.Where(f => f != field))
        {
            Assert.NotNull(cleared[other]);
        }

        Assert.Equal("away", (string?)cleared["status"]);
        Assert.True((bool)cleared["suppressNotifications"]!);
    }

    [Fact]
    public async Task Patch_missing_status_and_suppressNotifications_keep_them()
    {
        var user = NewUser();
        await PatchOkAsync(user, """{"status":"dnd","suppressNotifications":true}""");
        var data = (await PatchOkAsync(user, """{"customMessage":"x"}"""))["data"]!;
        Assert.Equal("dnd", (string?)data["status"]);
        Assert.True((bool)data["suppressNotifications"]!);

        data = (await PatchOkAsync(user, """{"status":"online","suppressNotifications":false}"""))["data"]!;
        Assert.Equal("online", (string?)data["status"]);
        Assert.False((bool)data["suppressNotifications"]!);
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"status":null}""", "status" },
        { """{"suppressNotifications":null}""", "suppressNotifications" },
        { """{"status":"invisible"}""", "status" },
        { """{"status":"Online"}""", "status" },
        { """{"status":1}""", "status" },
        { """{"customMessage":5}""", "customMessage" },
        { """{"statusEmoji":true}""", "statusEmoji" },
        { """{"activeChannelId":{}}""", "activeChannelId" },
        { """{"statusExpiresAt":1893553445678}""", "statusExpiresAt" },
        { """{"statusExpiresAt":"tomorrow"}""", "statusExpiresAt" },
        { """{"suppressNotifications":"yes"}""", "suppressNotifications" },
        { """{"bogus":1}""", "bogus" },
        { """{"Status":"away"}""", "Status" },
        { """{"status":"away","status":"busy"}""", "status" },
        { """not json""", "$" },
        { """[]""", "$" },
        { "", "$" },
        { """{"customMessage":"bad\u0007bell"}""", "customMessage" },
        { """{"statusEmoji":"not one emoji"}""", "statusEmoji" },
        { """{"statusExpiresAt":"2001-01-01T00:00:00Z"}""", "statusExpiresAt" },
        { """{"activeChannelId":""}""", "activeChannelId" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Patch_rejects_invalid_input_with_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var user = NewUser();
        var before = (await PatchOkAsync(user, """{"status":"busy","customMessage":"keep me"}"""))["data"]!;

        using var response = await _host.SendAsync(HttpMethod.Patch, "/presence/me", user, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadJsonAsync(response);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.NotNull(problem["traceId"]);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"errors name {string.Join(", ", errors.Select(e => e.Key))}, expected {field}");

        var after = await GetJsonAsync("/presence/me", user);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task Patch_reports_every_invalid_field()
    {
        using var response = await _host.SendAsync(HttpMethod.Patch, "/presence/me", NewUser(), """{"status":null,"customMessage":1,"nope":true}""");
        var errors = (await ReadJsonAsync(response))["errors"]!.AsObject();
        Assert.Equal(["customMessage", "nope", "status"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task Patch_with_message_over_the_limit_is_400()
    {
        using var response = await _host.SendAsync(HttpMethod.Patch, "/presence/me", NewUser(), JsonSerializer.Serialize(new { customMessage = new string('x', 256) }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ReadJsonAsync(response))["errors"]!.AsObject().ContainsKey("customMessage"));
    }

    [Fact]
    public async Task Patch_body_over_16_KiB_is_refused()
    {
        var body = "{\"customMessage\":\"" + new string('x', 17 * 1024) + "\"}";
        using var response = await _host.SendAsync(HttpMethod.Patch, "/presence/me", NewUser(), body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Patch_body_over_16_KiB_without_content_length_is_refused()
    {
        var body = "{\"customMessage\":\"" + new string('x', 17 * 1024) + "\"}";
        using var request = _host.Request(HttpMethod.Patch, "/presence/me", NewUser());
        request.Content = new StreamContent(new NoLengthStream(System.Text.Encoding.UTF8.GetBytes(body)));
        request.Content.Headers.ContentType = new("application/json");
        using var response = await _host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Patch_with_a_malformed_chunked_body_is_a_400_not_a_500()
    {
        // HttpClient cannot send a broken chunk, so speak HTTP/1.1 by hand.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_host.BaseAddress.Host, _host.BaseAddress.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        var request =
            "PATCH /presence/me HTTP/1.1\r\n" +
            $"Host: {_host.BaseAddress.Authority}\r\n" +
            $"Authorization: Bearer user:{NewUser()}\r\n" +
            "Content-Type: application/json\r\n" +
            "Transfer-Encoding: chunked\r\n" +
            "Connection: close\r\n\r\n" +
            "zz\r\n{}\r\n0\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);

        using var reader = new StreamReader(stream);
        var statusLine = await reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 400", statusLine);
        Assert.DoesNotContain(_host.Completed, c => c.Path == "/presence/me" && c.Error is not null);
    }

    [Fact]
    public async Task Patch_without_json_content_type_is_415()
    {
        using var request = _host.Request(HttpMethod.Patch, "/presence/me", NewUser());
        request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "text/plain");
        using var response = await _host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Patch_accepts_merge_patch_json()
    {
        using var request = _host.Request(HttpMethod.Patch, "/presence/me", NewUser());
        request.Content = new StringContent("""{"status":"busy"}""", System.Text.Encoding.UTF8, "application/merge-patch+json");
        using var response = await _host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("busy", (string?)(await ReadJsonAsync(response))["data"]!["status"]);
    }

    [Fact]
    public async Task Heartbeat_answers_lastSeenAt_and_creates_an_online_record()
    {
        var user = NewUser();
        using var response = await _host.SendAsync(HttpMethod.Post, "/presence/me/heartbeat", user);
        var body = await ReadJsonAsync(response);
        Assert.Equal(["lastSeenAt"], body.AsObject().Select(p => p.Key));
        Assert.Matches(IsoUtcMillis(), (string?)body["lastSeenAt"]);

        var me = await GetJsonAsync("/presence/me", user);
        Assert.Equal("online", (string?)me["status"]);
        Assert.Equal((string?)body["lastSeenAt"], (string?)me["lastSeenAt"]);
    }

    [Fact]
    public async Task Clear_status_clears_custom_status_and_keeps_status_and_channel()
    {
        var user = NewUser();
        await PatchOkAsync(user, """{"status":"busy","customMessage":"m","statusEmoji":"☕","statusExpiresAt":"2030-01-02T03:04:05.678Z","activeChannelId":"c1","suppressNotifications":true}""");
        using var response = await _host.SendAsync(HttpMethod.Delete, "/presence/me/custom-status", user);
        var result = await ReadJsonAsync(response);
        Assert.Equal(JsonValueKind.Number, result["transactionId"]!.GetValueKind());
        var data = result["data"]!;
        Assert.Equal(RecordKeys, data.AsObject().Select(p => p.Key));
        Assert.Null(data["customMessage"]);
        Assert.Null(data["statusEmoji"]);
        Assert.Null(data["statusExpiresAt"]);
        Assert.False((bool)data["suppressNotifications"]!);
        Assert.Equal("busy", (string?)data["status"]);
        Assert.Equal("c1", (string?)data["activeChannelId"]);
    }

    [Fact]
    public async Task Get_me_of_a_user_without_record_reads_offline_with_every_key()
    {
        var user = NewUser();
        var me = await GetJsonAsync("/presence/me", user);
        Assert.Equal(RecordKeys, me.AsObject().Select(p => p.Key));
        Assert.Equal(user, (string?)me["userId"]);
        Assert.Equal("offline", (string?)me["status"]);
        Assert.Equal(Guid.Empty.ToString(), (string?)me["id"]);
        Assert.Equal(0, (long)me["transactionId"]!);
    }

    [Fact]
    public async Task Get_user_and_users_read_other_users_in_the_order_asked()
    {
        var a = NewUser();
        var b = NewUser();
        await PatchOkAsync(a, """{"status":"away"}""");
        await PatchOkAsync(b, """{"status":"dnd"}""");

        var one = await GetJsonAsync($"/presence/users/{a}", b);
        Assert.Equal("away", (string?)one["status"]);

        var many = (await GetJsonAsync($"/presence/users?ids={b}&ids=nobody&ids={a}", a)).AsArray();
        Assert.Equal([b, "nobody", a], many.Select(r => (string?)r!["userId"]));
        Assert.Equal(["dnd", "offline", "away"], many.Select(r => (string?)r!["status"]));
        Assert.All(many, r => Assert.Equal(RecordKeys, r!.AsObject().Select(p => p.Key)));
    }

    [Fact]
    public async Task Get_users_without_ids_is_an_empty_list()
    {
        Assert.Empty((await GetJsonAsync("/presence/users", NewUser())).AsArray());
    }

    [Fact]
    public async Task Get_users_caps_ids_at_1000()
    {
        var user = NewUser();
        var ok = "/presence/users?" + string.Join("&", Enumerable.Range(0, 1000).Select(i => "ids=u" + i));
        Assert.Equal(1000, (await GetJsonAsync(ok, user)).AsArray().Count);

        using var response = await _host.SendAsync(HttpMethod.Get, ok + "&ids=one-too-many", user);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ReadJsonAsync(response))["errors"]!.AsObject().ContainsKey("ids"));
    }

    [Theory]
    [InlineData("/presence/users?ids=ok&ids=%01bad")]
    [InlineData("/presence/stream?ids=%01bad")]
    public async Task Invalid_ids_in_the_query_are_reported_under_ids(string path)
    {
        using var response = await _host.SendAsync(HttpMethod.Get, path, NewUser());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ReadJsonAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("ids"), errors.ToJsonString());
        Assert.False(errors.ContainsKey("userId"), errors.ToJsonString());
    }

    [Fact]
    public async Task Get_channel_lists_users_active_in_it()
    {
        var channel = "ch-" + Guid.NewGuid().ToString("N");
        var a = NewUser();
        var b = NewUser();
        var c = NewUser();
        await PatchOkAsync(a, $$"""{"activeChannelId":"{{channel}}"}""");
        await PatchOkAsync(b, $$"""{"activeChannelId":"{{channel}}","status":"offline"}""");
        await PatchOkAsync(c, """{"activeChannelId":"elsewhere"}""");

        var users = (await GetJsonAsync($"/presence/channels/{channel}", a)).AsArray();
        Assert.Equal([a], users.Select(r => (string?)r!["userId"]));
    }

    [Fact]
    public async Task Invalid_ids_in_the_path_are_400()
    {
        using var response = await _host.SendAsync(HttpMethod.Get, "/presence/users/" + new string('x', 200), NewUser());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ReadJsonAsync(response))["errors"]!.AsObject().ContainsKey("userId"));
    }

    [Fact]
    public async Task A_failing_store_answers_500_problem_details_without_internals()
    {
        await using var host = await PresenceTestHost.StartAsync(services => services.AddSingleton<IPresenceStore, ThrowingStore>());
        foreach (var (method, path) in new[] { ("PATCH", "/presence/me"), ("POST", "/presence/me/heartbeat"), ("DELETE", "/presence/me/custom-status"), ("GET", "/presence/me"), ("GET", "/presence/users?ids=x") })
        {
            using var response = await host.SendAsync(new HttpMethod(method), path, "u1", method == "PATCH" ? "{}" : null);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain(ThrowingStore.Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            var problem = JsonNode.Parse(text)!;
            Assert.Equal(500, (int)problem["status"]!);
            Assert.False(string.IsNullOrEmpty((string?)problem["traceId"]));
            Assert.Null(problem["detail"]);
        }
    }

    [Fact]
    public async Task User_id_claim_types_are_configurable()
    {
        await using var host = await PresenceTestHost.StartAsync(endpointOptions: o =>
        {
            o.UserIdClaimTypes.Clear();
            o.UserIdClaimTypes.Add("name");
        });
        var me = await GetJsonAsync(host, "/presence/me", "whoever");
        Assert.Equal("test user", (string?)me["userId"]);
    }

    [Fact]
    public async Task A_custom_user_id_resolver_wins_and_null_means_401()
    {
        await using var host = await PresenceTestHost.StartAsync(endpointOptions: o =>
            o.UserIdResolver = p => p.FindFirst("sub")?.Value is { } sub && sub != "anonymous" ? "tenant1/" + sub : null);
        var me = await GetJsonAsync(host, "/presence/me", "abc");
        Assert.Equal("tenant1/abc", (string?)me["userId"]);

        using var response = await host.SendAsync(HttpMethod.Get, "/presence/me", "anonymous");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_prefix_is_configurable_and_the_group_is_returned()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddHazelPresence();
        await using var app = builder.Build();
        var group = Microsoft.AspNetCore.Builder.PresenceEndpointRouteBuilderExtensions.MapHazelPresence(app, "/api/v2/presence");
        Assert.NotNull(group);
        var endpoints = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints)
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>().ToList();
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/v2/presence/me");
        Assert.All(endpoints, e =>
        {
            Assert.NotNull(e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IEndpointNameMetadata>());
            Assert.NotNull(e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IEndpointSummaryMetadata>());
            Assert.NotEmpty(e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>());
            Assert.NotEmpty(e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>());
        });
    }

    [Fact]
    public void Mapping_without_AddHazelPresence_says_what_to_do()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => Microsoft.AspNetCore.Builder.PresenceEndpointRouteBuilderExtensions.MapHazelPresence(app));
        Assert.Contains("AddHazelPresence", error.Message, StringComparison.Ordinal);
    }

    private static string NewUser() => Guid.NewGuid().ToString();

    private async Task<JsonNode> PatchOkAsync(string user, string json)
    {
        using var response = await _host.SendAsync(HttpMethod.Patch, "/presence/me", user, json);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PATCH {json} -> {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private Task<JsonNode> GetJsonAsync(string path, string user) => GetJsonAsync(_host, path, user);

    private static async Task<JsonNode> GetJsonAsync(PresenceTestHost host, string path, string user)
    {
        using var response = await host.SendAsync(HttpMethod.Get, path, user);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} -> {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    internal static partial Regex IsoUtcMillis();

    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>A store whose every call fails with a message that must never reach a client.</summary>
internal sealed class ThrowingStore : IPresenceStore
{
    public const string Secret = "connection string Password=hunter2";

    private static InvalidOperationException Fail() => new("Store exploded: " + Secret);

    public ValueTask<UserPresence> UpsertAsync(string userId, PresenceChangeKind kind, PresenceMutation mutation, CancellationToken cancellationToken = default) => throw Fail();

    public ValueTask<PresenceHeartbeatResult> HeartbeatAsync(string userId, DateTimeOffset now, bool restoreStatus, CancellationToken cancellationToken = default) => throw Fail();

    public ValueTask<UserPresence?> GetAsync(string userId, CancellationToken cancellationToken = default) => throw Fail();

    public ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default) => throw Fail();

    public ValueTask<IReadOnlyList<UserPresence>> GetByChannelAsync(string channelId, CancellationToken cancellationToken = default) => throw Fail();

    public ValueTask<IReadOnlyList<UserPresence>> GetChangedSinceAsync(long afterTransactionId, IReadOnlyCollection<string>? userIds, int limit, CancellationToken cancellationToken = default) => throw Fail();

    public ValueTask<IReadOnlyList<UserPresence>> MarkStaleOfflineAsync(DateTimeOffset lastSeenBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken = default) => throw Fail();

    public ValueTask<IReadOnlyList<UserPresence>> ClearExpiredStatusesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) => throw Fail();
}
