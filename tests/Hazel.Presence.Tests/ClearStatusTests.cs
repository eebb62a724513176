namespace Hazel.Presence.Tests;

/// <summary>userPresenceStatus.clearStatus, field by field.</summary>
public sealed class ClearStatusTests
{
    private static async Task<(PresenceFixture Fixture, UserPresence Before, PresenceResult Cleared)> SetAndClearAsync()
    {
        var f = new PresenceFixture();
        var before = (await f.Presence.UpdateAsync("alice", UpdateTests.FullUpdate(f.Now))).Data;
        f.Time.Advance(TimeSpan.FromSeconds(10));
        var cleared = await f.Presence.ClearStatusAsync("alice");
        return (f, before, cleared);
    }

    [Fact]
    public async Task Clear_status_clears_the_custom_message()
    {
        var (f, _, cleared) = await SetAndClearAsync();
        await using var _f = f;
        Assert.Null(cleared.Data.CustomMessage);
    }

    [Fact]
    public async Task Clear_status_clears_the_emoji()
    {
        var (f, _, cleared) = await SetAndClearAsync();
        await using var _f = f;
        Assert.Null(cleared.Data.StatusEmoji);
    }

    [Fact]
    public async Task Clear_status_clears_the_expiry()
    {
        var (f, _, cleared) = await SetAndClearAsync();
        await using var _f = f;
        Assert.Null(cleared.Data.StatusExpiresAt);
    }

    [Fact]
    public async Task Clear_status_preserves_the_status()
    {
        var (f, before, cleared) = await SetAndClearAsync();
        await using var _f = f;
        Assert.Equal(PresenceStatus.Busy, before.Status);
        Assert.Equal(before.Status, cleared.Data.Status);
    }

    [Fact]
    public async Task Clear_status_preserves_the_active_channel()
    {
        var (f, before, cleared) = await SetAndClearAsync();
        await using var _f = f;
        Assert.Equal("standup", cleared.Data.ActiveChannelId);
        Assert.Equal(before.ActiveChannelId, cleared.Data.ActiveChannelId);
    }

    [Fact]
    public async Task Clear_status_resets_suppress_notifications()
    {
        var (f, before, cleared) = await SetAndClearAsync();
        await using var _f = f;
        Assert.True(before.SuppressNotifications);
        Assert.False(cleared.Data.SuppressNotifications);
    }

    [Fact]
    public async Task Clear_status_updates_last_seen()
    {
        var (f, _, cleared) = await SetAndClearAsync();
        await using var _f = f;
        Assert.Equal(f.Now, cleared.Data.LastSeenAt);
        Assert.Equal(f.Now, cleared.Data.UpdatedAt);
    }

    [Fact]
    public async Task Clear_status_returns_the_stored_record_and_a_new_transaction_id()
    {
        var (f, before, cleared) = await SetAndClearAsync();
        await using var _f = f;
        Assert.True(cleared.TransactionId > before.TransactionId);
        Assert.Equal(cleared.TransactionId, cleared.Data.TransactionId);
        Assert.Equal(before.Id, cleared.Data.Id);
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
