namespace Hazel.Presence.Tests;

/// <summary>Reads apply the effective view: stale reads offline, an expired custom status reads cleared.</summary>
public sealed class ReadTests
{
    [Fact]
    public async Task Unknown_user_reads_as_offline()
    {
        await using var f = new PresenceFixture();

        var presence = await f.Presence.GetAsync("nobody");

        Assert.Equal(UserPresence.Unknown("nobody"), presence);
        Assert.Equal(PresenceStatus.Offline, presence.Status);
        Assert.Equal(0, presence.TransactionId);
    }

    [Fact]
    public async Task Stale_user_reads_as_offline_before_any_sweep()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Busy });

        f.AdvancePastOfflineTimeout();
        var presence = await f.Presence.GetAsync("alice");

        Assert.Equal(PresenceStatus.Offline, presence.Status);
        Assert.Equal(PresenceStatus.Busy, presence.StatusBeforeOffline);
    }

    [Fact]
    public async Task User_last_seen_exactly_the_timeout_ago_still_reads_online()
    {
        await using var f = new PresenceFixture();
        await f.Presence.HeartbeatAsync("alice");

        f.Time.Advance(f.Options.OfflineAfter);

        Assert.Equal(PresenceStatus.Online, (await f.Presence.GetAsync("alice")).Status);
        f.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(PresenceStatus.Offline, (await f.Presence.GetAsync("alice")).Status);
    }

    [Fact]
    public async Task Expired_custom_status_reads_as_cleared_before_any_sweep()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate
        {
            Status = PresenceStatus.Away,
            CustomMessage = "On lunch break",
            StatusEmoji = "🍕",
            StatusExpiresAt = f.Now.AddMinutes(1),
            SuppressNotifications = true,
        });

        f.Time.Advance(TimeSpan.FromMinutes(1));
        var presence = await f.Presence.GetAsync("alice");

        Assert.Null(presence.CustomMessage);
        Assert.Null(presence.StatusEmoji);
        Assert.Null(presence.StatusExpiresAt);
        Assert.False(presence.SuppressNotifications);
        Assert.Equal(PresenceStatus.Away, presence.Status);
    }

    [Fact]
    public async Task Get_many_returns_effective_records_in_the_order_given()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("stale", new PresenceUpdate { Status = PresenceStatus.Dnd });
        f.AdvancePastOfflineTimeout();
        await f.Presence.UpdateAsync("fresh", new PresenceUpdate { Status = PresenceStatus.Busy });

        var many = await f.Presence.GetManyAsync(["fresh", "nobody", "stale", "fresh"]);

        Assert.Equal(["fresh", "nobody", "stale", "fresh"], many.Select(p => p.UserId));
        Assert.Equal([PresenceStatus.Busy, PresenceStatus.Offline, PresenceStatus.Offline, PresenceStatus.Busy], many.Select(p => p.Status));
    }

    [Fact]
    public async Task Get_many_with_no_ids_returns_nothing()
    {
        await using var f = new PresenceFixture();
        Assert.Empty(await f.Presence.GetManyAsync([]));
    }

    [Fact]
    public async Task Active_in_channel_lists_only_users_viewing_it_and_not_offline()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("stale", new PresenceUpdate { ActiveChannelId = "general" });
        f.AdvancePastOfflineTimeout();
        await f.Presence.UpdateAsync("viewer", new PresenceUpdate { ActiveChannelId = "general" });
        await f.Presence.UpdateAsync("elsewhere", new PresenceUpdate { ActiveChannelId = "random" });
        await f.Presence.UpdateAsync("invisible", new PresenceUpdate { ActiveChannelId = "general", Status = PresenceStatus.Offline });
        await f.Presence.UpdateAsync("moved", new PresenceUpdate { ActiveChannelId = "general" });
        await f.Presence.UpdateAsync("moved", new PresenceUpdate { ActiveChannelId = "random" });
        await f.Presence.UpdateAsync("left", new PresenceUpdate { ActiveChannelId = "general" });
        await f.Presence.UpdateAsync("left", new PresenceUpdate { ActiveChannelId = null });

        var active = await f.Presence.GetActiveInChannelAsync("general");

        Assert.Equal(["viewer"], active.Select(p => p.UserId));
        Assert.Equal(["elsewhere", "moved"], (await f.Presence.GetActiveInChannelAsync("random")).Select(p => p.UserId).Order());
        Assert.Empty(await f.Presence.GetActiveInChannelAsync("empty"));
    }
}
