namespace Hazel.Presence.Tests;

/// <summary>ShouldNotifyAsync: dnd, suppress-notifications and viewing the channel.</summary>
public sealed class NotifyTests
{
    [Fact]
    public async Task Online_user_is_notified()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { ActiveChannelId = "random" });

        Assert.True(await f.Presence.ShouldNotifyAsync("alice"));
        Assert.True(await f.Presence.ShouldNotifyAsync("alice", "general"));
    }

    [Fact]
    public async Task Unknown_user_is_notified()
    {
        await using var f = new PresenceFixture();
        Assert.True(await f.Presence.ShouldNotifyAsync("nobody", "general"));
    }

    [Fact]
    public async Task Dnd_user_is_not_notified()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Dnd });

        Assert.False(await f.Presence.ShouldNotifyAsync("alice"));
        Assert.False(await f.Presence.ShouldNotifyAsync("alice", "general"));
    }

    [Fact]
    public async Task Dnd_user_marked_offline_is_still_not_notified()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Dnd });
        f.AdvancePastOfflineTimeout();

        Assert.False(await f.Presence.ShouldNotifyAsync("alice"));
        await f.Presence.SweepOnceAsync();
        Assert.False(await f.Presence.ShouldNotifyAsync("alice"));
    }

    [Fact]
    public async Task User_suppressing_notifications_is_not_notified_until_the_status_expires()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "Presenting", SuppressNotifications = true, StatusExpiresAt = f.Now.AddMinutes(30) });

        Assert.False(await f.Presence.ShouldNotifyAsync("alice"));
        f.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.True(await f.Presence.ShouldNotifyAsync("alice"));
    }

    [Fact]
    public async Task User_suppressing_notifications_without_expiry_is_not_notified()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { SuppressNotifications = true });

        Assert.False(await f.Presence.ShouldNotifyAsync("alice", "general"));
    }

    [Fact]
    public async Task User_viewing_the_channel_is_not_notified_for_it()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { ActiveChannelId = "general" });

        Assert.False(await f.Presence.ShouldNotifyAsync("alice", "general"));
        Assert.True(await f.Presence.ShouldNotifyAsync("alice", "random"));
        Assert.True(await f.Presence.ShouldNotifyAsync("alice"));
    }

    [Fact]
    public async Task Stale_user_last_viewing_the_channel_is_notified()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { ActiveChannelId = "general" });
        f.AdvancePastOfflineTimeout();

        Assert.True(await f.Presence.ShouldNotifyAsync("alice", "general"));
    }
}
