using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hazel.Presence.Tests;

/// <summary>userPresenceStatus.heartbeat: the seed's implementation notes and the hot path.</summary>
public sealed class HeartbeatTests
{
    [Fact]
    public async Task Heartbeat_without_record_creates_an_online_record()
    {
        await using var f = new PresenceFixture();

        var lastSeen = await f.Presence.HeartbeatAsync("alice");

        var presence = await f.Presence.GetAsync("alice");
        Assert.Equal(f.Now, lastSeen);
        Assert.Equal(PresenceStatus.Online, presence.Status);
        Assert.Equal(f.Now, presence.LastSeenAt);
        Assert.NotEqual(Guid.Empty, presence.Id);
        Assert.True(presence.TransactionId > 0);
    }

    [Fact]
    public async Task Heartbeat_only_updates_last_seen()
    {
        await using var f = new PresenceFixture();
        var before = (await f.Presence.UpdateAsync("alice", UpdateTests.FullUpdate(f.Now))).Data;
        f.Time.Advance(TimeSpan.FromSeconds(30));

        var lastSeen = await f.Presence.HeartbeatAsync("alice");

        var after = await f.Presence.GetAsync("alice");
        Assert.Equal(f.Now, lastSeen);
        Assert.Equal(before with { LastSeenAt = f.Now }, after);
    }

    [Fact]
    public async Task Heartbeat_returns_the_new_last_seen()
    {
        await using var f = new PresenceFixture();
        await f.Presence.HeartbeatAsync("alice");
        f.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(f.Now, await f.Presence.HeartbeatAsync("alice"));
    }

    [Fact]
    public async Task Heartbeat_never_moves_last_seen_back()
    {
        // FakeTimeProvider cannot step back; a clock that does (e.g. another host's) is what this guards against.
        var clock = new SteppingClock { Now = PresenceFixture.Start.AddMinutes(1) };
        await using var f = new PresenceFixture(services: s => s.AddSingleton<TimeProvider>(clock));
        var later = await f.Presence.HeartbeatAsync("alice");

        clock.Now = PresenceFixture.Start;
        var returned = await f.Presence.HeartbeatAsync("alice");

        Assert.Equal(later, returned);
        Assert.Equal(later, (await f.Presence.GetAsync("alice")).LastSeenAt);
    }

    [Fact]
    public async Task Update_with_an_earlier_clock_does_not_move_last_seen_back()
    {
        var clock = new SteppingClock { Now = PresenceFixture.Start.AddMinutes(1) };
        await using var f = new PresenceFixture(services: s => s.AddSingleton<TimeProvider>(clock));
        var later = await f.Presence.HeartbeatAsync("alice");
        clock.Now = PresenceFixture.Start;

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "x" });

        Assert.Equal(later, result.Data.LastSeenAt);
        Assert.Equal(PresenceFixture.Start, result.Data.UpdatedAt);
    }

    [Fact]
    public async Task Heartbeat_is_not_a_change()
    {
        await using var f = new PresenceFixture();
        await f.Presence.HeartbeatAsync("alice");
        var txid = (await f.Presence.GetAsync("alice")).TransactionId;
        await using var watch = f.Presence.WatchAsync().GetAsyncEnumerator();

        f.Time.Advance(TimeSpan.FromSeconds(30));
        await f.Presence.HeartbeatAsync("alice");
        var marker = await f.Presence.UpdateAsync("bob", new PresenceUpdate());

        Assert.Equal(txid, (await f.Presence.GetAsync("alice")).TransactionId);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(marker.TransactionId, watch.Current.TransactionId); // the heartbeat produced nothing before it
    }

    [Fact]
    public async Task Heartbeat_in_steady_state_allocates_nothing()
    {
        // The clock advances by itself on every read, so each heartbeat really moves last-seen forward.
        var time = new FakeTimeProvider(PresenceFixture.Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        await using var f = new PresenceFixture(services: s => s.AddSingleton<TimeProvider>(time));
        var presence = f.Presence;
        for (var i = 0; i < 1_000; i++)
        {
            Beat(presence, "alice");
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Beat(presence, "alice");
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromMilliseconds(1), (await presence.GetAsync("alice")).LastSeenAt);

        static void Beat(IPresenceService presence, string userId)
        {
            var pending = presence.HeartbeatAsync(userId);
            if (!pending.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("A steady-state heartbeat must complete synchronously.");
            }
        }
    }

    private sealed class SteppingClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
