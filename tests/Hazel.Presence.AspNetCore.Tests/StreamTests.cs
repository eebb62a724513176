using System.Net;
using System.Text.Json.Nodes;
using Hazel.Presence.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Hazel.Presence.AspNetCore.Tests;

public sealed class StreamTests : IAsyncLifetime
{
    private PresenceTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await PresenceTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Stream_delivers_changes_of_the_watched_users_as_presence_events()
    {
        var watched = Guid.NewGuid().ToString();
        var other = Guid.NewGuid().ToString();
        using var stream = await OpenAsync(_host, $"/presence/stream?ids={watched}", watched);

        await PatchAsync(_host, other, """{"status":"busy"}""");
        var txid = await PatchAsync(_host, watched, """{"status":"away","customMessage":"lunch"}""");

        var block = await stream.Reader.ReadEventAsync();
        Assert.Equal("presence", block.Event);
        Assert.Equal(txid.ToString(System.Globalization.CultureInfo.InvariantCulture), block.Id);
        var data = JsonNode.Parse(block.Data!)!;
        Assert.Equal(watched, (string?)data["userId"]);
        Assert.Equal("away", (string?)data["status"]);
        Assert.Equal("lunch", (string?)data["customMessage"]);
        Assert.Equal(txid, (long)data["transactionId"]!);
        Assert.Equal(11, data.AsObject().Count);
    }

    [Fact]
    public async Task Stream_without_ids_delivers_every_user()
    {
        var a = Guid.NewGuid().ToString();
        var b = Guid.NewGuid().ToString();
        using var stream = await OpenAsync(_host, "/presence/stream", a);
        var first = await PatchAsync(_host, a, "{}");
        var second = await PatchAsync(_host, b, "{}");

        // Other tests' hosts are separate, so only these two changes can arrive.
        Assert.Equal(first.ToString(System.Globalization.CultureInfo.InvariantCulture), (await stream.Reader.ReadEventAsync()).Id);
        Assert.Equal(second.ToString(System.Globalization.CultureInfo.InvariantCulture), (await stream.Reader.ReadEventAsync()).Id);
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_first_sends_what_changed_since()
    {
        var a = Guid.NewGuid().ToString();
        var b = Guid.NewGuid().ToString();
        var t1 = await PatchAsync(_host, a, """{"status":"busy"}""");
        var t2 = await PatchAsync(_host, b, """{"status":"dnd"}""");
        var t3 = await PatchAsync(_host, a, """{"status":"away"}""");

        using var stream = await OpenAsync(_host, $"/presence/stream?ids={a}&ids={b}", a, lastEventId: t1);
        var e2 = await stream.Reader.ReadEventAsync();
        var e3 = await stream.Reader.ReadEventAsync();
        Assert.Equal([t2, t3], new[] { long.Parse(e2.Id!), long.Parse(e3.Id!) });
        Assert.Equal("away", (string?)JsonNode.Parse(e3.Data!)!["status"]);

        var t4 = await PatchAsync(_host, b, """{"status":"online"}""");
        Assert.Equal(t4, long.Parse((await stream.Reader.ReadEventAsync()).Id!));
    }

    [Fact]
    public async Task An_invalid_Last_Event_ID_is_400()
    {
        using var request = _host.Request(HttpMethod.Get, "/presence/stream", "u1");
        request.Headers.Add("Last-Event-ID", "not-a-number");
        using var response = await _host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Stream_caps_ids_at_1000()
    {
        var path = "/presence/stream?" + string.Join("&", Enumerable.Range(0, 1001).Select(i => "ids=u" + i));
        using var response = await _host.SendAsync(HttpMethod.Get, path, "u1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Idle_streams_get_keep_alive_comments_on_the_injected_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await PresenceTestHost.StartAsync(time: time, endpointOptions: o => o.StreamKeepAliveInterval = TimeSpan.FromSeconds(30));
        using var stream = await OpenAsync(host, "/presence/stream", "u1");

        // The keep-alive timer is armed once the server waits for a change; advance until it fires.
        var read = stream.Reader.ReadBlockAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!read.IsCompleted && !deadline.IsCancellationRequested)
        {
            time.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(read, Task.Delay(50, TestContext.Current.CancellationToken));
        }

        var block = await read;
        Assert.NotNull(block);
        Assert.Equal(["keep-alive"], block.Comments);
        Assert.Null(block.Data);
    }

    [Fact]
    public async Task The_stream_ends_cleanly_when_the_client_goes_away()
    {
        var stream = await OpenAsync(_host, "/presence/stream", "u1");
        stream.Dispose();

        await AssertStreamRequestEndedCleanlyAsync(_host);
    }

    [Fact]
    public async Task Stopping_the_host_ends_open_streams_instead_of_waiting_out_the_shutdown_timeout()
    {
        var host = await PresenceTestHost.StartAsync(services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(5)));
        await using (host)
        {
            using var stream = await OpenAsync(host, "/presence/stream", "u1");

            // Kestrel drains open requests until the shutdown timeout: a stream that does not end by itself on
            // shutdown holds the host for minutes. The bound below is generous next to an immediate end.
            var stopping = host.App.StopAsync(TestContext.Current.CancellationToken);
            Assert.Null(await stream.Reader.ReadBlockAsync().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            await stopping.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            await AssertStreamRequestEndedCleanlyAsync(host);
        }
    }

    [Fact]
    public async Task An_overflowing_watcher_ends_the_stream_so_the_client_reconnects()
    {
        await using var host = await PresenceTestHost.StartAsync(services =>
        {
            var real = services.Single(d => d.ServiceType == typeof(IPresenceService));
            services.Remove(real);
            services.AddSingleton(real.ImplementationType!);
            services.AddSingleton<IPresenceService>(sp => new OverflowingPresence((IPresenceService)sp.GetRequiredService(real.ImplementationType!)));
        });
        using var stream = await OpenAsync(host, "/presence/stream", "u1");
        var txid = await PatchAsync(host, "u1", "{}");

        Assert.Equal(txid.ToString(System.Globalization.CultureInfo.InvariantCulture), (await stream.Reader.ReadEventAsync()).Id);
        Assert.Null(await stream.Reader.ReadBlockAsync());
    }

    [Fact]
    public async Task A_store_failure_while_streaming_ends_the_stream_without_leaking()
    {
        await using var host = await PresenceTestHost.StartAsync(services => services.AddSingleton<Hazel.Presence.Storage.IPresenceStore, ThrowingStore>());
        using var stream = await OpenAsync(host, "/presence/stream", "u1", lastEventId: 0);
        Assert.Null(await stream.Reader.ReadBlockAsync());
        await AssertStreamRequestEndedCleanlyAsync(host);
    }

    /// <summary>Waits (bounded) until the server finished the stream request, and checks it threw nothing.</summary>
    private static async Task AssertStreamRequestEndedCleanlyAsync(PresenceTestHost host)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!host.Completed.Any(c => c.Path == "/presence/stream"))
        {
            await Task.Delay(20, deadline.Token);
        }

        Assert.Null(host.Completed.First(c => c.Path == "/presence/stream").Error);
    }

    internal sealed class OpenStream(HttpResponseMessage response, SseReader reader) : IDisposable
    {
        public SseReader Reader { get; } = reader;

        public void Dispose()
        {
            Reader.Dispose();
            response.Dispose();
        }
    }

    internal static async Task<OpenStream> OpenAsync(PresenceTestHost host, string path, string user, long? lastEventId = null)
    {
        var request = host.Request(HttpMethod.Get, path, user);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        // The server opens with a comment, so the subscription exists before the test writes.
        var open = await reader.ReadBlockAsync();
        Assert.Equal(["stream open"], open?.Comments);
        return new OpenStream(response, reader);
    }

    internal static async Task<long> PatchAsync(PresenceTestHost host, string user, string json)
    {
        using var response = await host.SendAsync(HttpMethod.Patch, "/presence/me", user, json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        return (long)body["transactionId"]!;
    }

    /// <summary>Delivers the first change, then fails the way a lagging watcher does.</summary>
    private sealed class OverflowingPresence(IPresenceService inner) : IPresenceService
    {
        public ValueTask<PresenceResult> UpdateAsync(string userId, PresenceUpdate update, CancellationToken cancellationToken = default) => inner.UpdateAsync(userId, update, cancellationToken);

        public ValueTask<DateTimeOffset> HeartbeatAsync(string userId, CancellationToken cancellationToken = default) => inner.HeartbeatAsync(userId, cancellationToken);

        public ValueTask<PresenceResult> ClearStatusAsync(string userId, CancellationToken cancellationToken = default) => inner.ClearStatusAsync(userId, cancellationToken);

        public ValueTask<UserPresence> GetAsync(string userId, CancellationToken cancellationToken = default) => inner.GetAsync(userId, cancellationToken);

        public ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken = default) => inner.GetManyAsync(userIds, cancellationToken);

        public ValueTask<IReadOnlyList<UserPresence>> GetActiveInChannelAsync(string channelId, CancellationToken cancellationToken = default) => inner.GetActiveInChannelAsync(channelId, cancellationToken);

        public ValueTask<bool> ShouldNotifyAsync(string userId, string? channelId = null, CancellationToken cancellationToken = default) => inner.ShouldNotifyAsync(userId, channelId, cancellationToken);

        public ValueTask<PresenceSweepResult> SweepOnceAsync(CancellationToken cancellationToken = default) => inner.SweepOnceAsync(cancellationToken);

        public IAsyncEnumerable<PresenceChange> WatchAsync(IReadOnlyCollection<string>? userIds = null, long? afterTransactionId = null, CancellationToken cancellationToken = default) =>
            FirstThenOverflow(inner.WatchAsync(userIds, afterTransactionId, cancellationToken));

        private static async IAsyncEnumerable<PresenceChange> FirstThenOverflow(IAsyncEnumerable<PresenceChange> changes)
        {
            await foreach (var change in changes)
            {
                yield return change;
                throw new PresenceWatchOverflowException(change.TransactionId);
            }
        }
    }
}
