namespace Hazel.Presence.Tests;

/// <summary>userPresenceStatus.clearStatus, field by field.</summary>
public sealed class ClearStatusTests
{
    /// <summary>Sets every field, waits 10 s, clears the custom status.</summary>
    private static async Task<(UserPresence Before, PresenceResult Cleared)> SetAndClearAsync(PresenceFixture f)
    {
        var before = (await f.Presence.UpdateAsync("alice", UpdateTests.FullUpdate(f.Now))).Data;
        f.Time.Advance(TimeSpan.FromSeconds(10));
        return (before, await f.Presence.ClearStatusAsync("alice"));
    }

    [Fact]
    public async Task Clear_status_clears_the_custom_message()
    {
        await using var f = new PresenceFixture();
        var (_, cleared) = await SetAndClearAsync(f);

        Assert.Null(cleared.Data.CustomMessage);
    }

    [Fact]
    public async Task Clear_status_clears_the_emoji()
    {
        await using var f = new PresenceFixture();
        var (_, cleared) = await SetAndClearAsync(f);

        Assert.Null(cleared.Data.StatusEmoji);
    }

    [Fact]
    public async Task Clear_status_clears_the_expiry()
    {
        await using var f = new PresenceFixture();
        var (_, cleared) = await SetAndClearAsync(f);

        Assert.Null(cleared.Data.StatusExpiresAt);
    }

    [Fact]
    public async Task Clear_status_preserves_the_status()
    {
        await using var f = new PresenceFixture();
        var (before, cleared) = await SetAndClearAsync(f);

        Assert.Equal(PresenceStatus.Busy, before.Status);
        Assert.Equal(before.Status, cleared.Data.Status);
    }

    [Fact]
    public async Task Clear_status_preserves_the_active_channel()
    {
        await using var f = new PresenceFixture();
        var (before, cleared) = await SetAndClearAsync(f);

        Assert.Equal("standup", cleared.Data.ActiveChannelId);
        Assert.Equal(before.ActiveChannelId, cleared.Data.ActiveChannelId);
    }

    [Fact]
    public async Task Clear_status_resets_suppress_notifications()
    {
        await using var f = new PresenceFixture();
        var (before, cleared) = await SetAndClearAsync(f);

        Assert.True(before.SuppressNotifications);
        Assert.False(cleared.Data.SuppressNotifications);
    }

    [Fact]
    public async Task Clear_status_updates_last_seen()
    {
        await using var f = new PresenceFixture();
        var (_, cleared) = await SetAndClearAsync(f);

        Assert.Equal(f.Now, cleared.Data.LastSeenAt);
        Assert.Equal(f.Now, cleared.Data.UpdatedAt);
    }

    [Fact]
    public async Task Clear_status_returns_the_stored_record_and_a_new_transaction_id()
    {
        await using var f = new PresenceFixture();
        var (before, cleared) = await SetAndClearAsync(f);

        Assert.True(cleared.TransactionId > before.TransactionId);
        Assert.Equal(cleared.TransactionId, cleared.Data.TransactionId);
        Assert.Equal(before.Id, cleared.Data.Id);
        Assert.Equal(cleared.Data, await f.Presence.GetAsync("alice"));
    }

    [Fact]
    public async Task Clear_status_without_record_creates_an_online_record()
    {
        await using var f = new PresenceFixture();

        var cleared = await f.Presence.ClearStatusAsync("alice");

        Assert.Equal(PresenceStatus.Online, cleared.Data.Status);
        Assert.Equal(f.Now, cleared.Data.LastSeenAt);
        Assert.Equal(cleared.Data, await f.Presence.GetAsync("alice"));
    }

    [Fact]
    public async Task Clear_status_is_published_as_status_cleared()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", UpdateTests.FullUpdate(f.Now));
        await using var watch = f.Presence.WatchAsync().GetAsyncEnumerator();

        var cleared = await f.Presence.ClearStatusAsync("alice");

        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(PresenceChangeKind.StatusCleared, watch.Current.Kind);
        Assert.Equal(cleared.Data, watch.Current.Presence);
    }
}
