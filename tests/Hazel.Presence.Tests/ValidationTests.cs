namespace Hazel.Presence.Tests;

/// <summary>Bad input gets one exception with field errors and changes nothing.</summary>
public sealed class ValidationTests
{
    public static TheoryData<string, string> BadUpdates => new()
    {
        { "customMessage-too-long", "customMessage" },
        { "customMessage-control", "customMessage" },
        { "customMessage-unpaired-surrogate", "customMessage" },
        { "statusEmoji-empty", "statusEmoji" },
        { "statusEmoji-two-emoji", "statusEmoji" },
        { "statusEmoji-text", "statusEmoji" },
        { "statusEmoji-space", "statusEmoji" },
        { "statusEmoji-unpaired-surrogate", "statusEmoji" },
        { "statusEmoji-too-long", "statusEmoji" },
        { "statusEmoji-bad-shortcode", "statusEmoji" },
        { "statusExpiresAt-now", "statusExpiresAt" },
        { "statusExpiresAt-past", "statusExpiresAt" },
        { "activeChannelId-empty", "activeChannelId" },
        { "activeChannelId-too-long", "activeChannelId" },
        { "activeChannelId-control", "activeChannelId" },
        { "status-undefined", "status" },
    };

    private static PresenceUpdate Bad(string rule, DateTimeOffset now) => rule switch
    {
        "customMessage-too-long" => new() { CustomMessage = new string('a', 256) },
        "customMessage-control" => new() { CustomMessage = "line\nbreak" },
        "customMessage-unpaired-surrogate" => new() { CustomMessage = "bad \ud800 half" },
        "statusEmoji-empty" => new() { StatusEmoji = "" },
        "statusEmoji-two-emoji" => new() { StatusEmoji = "📅🌴" },
        "statusEmoji-text" => new() { StatusEmoji = "hi" },
        "statusEmoji-space" => new() { StatusEmoji = " " },
        "statusEmoji-unpaired-surrogate" => new() { StatusEmoji = "\ud83d" },
        "statusEmoji-too-long" => new() { StatusEmoji = ":" + new string('a', 64) + ":" },
        "statusEmoji-bad-shortcode" => new() { StatusEmoji = ":Not A Code:" },
        "statusExpiresAt-now" => new() { StatusExpiresAt = now },
        "statusExpiresAt-past" => new() { StatusExpiresAt = now.AddSeconds(-1) },
        "activeChannelId-empty" => new() { ActiveChannelId = "" },
        "activeChannelId-too-long" => new() { ActiveChannelId = new string('c', 129) },
        "activeChannelId-control" => new() { ActiveChannelId = "gen\u0000eral" },
        "status-undefined" => new() { Status = (PresenceStatus)42 },
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    [Theory]
    [MemberData(nameof(BadUpdates))]
    public async Task Bad_update_is_rejected_with_the_field_and_changes_nothing(string rule, string field)
    {
        await using var f = new PresenceFixture();
        var before = (await f.Presence.UpdateAsync("alice", UpdateTests.FullUpdate(f.Now))).Data;
        await using var watch = f.Presence.WatchAsync().GetAsyncEnumerator();
        f.Time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<PresenceValidationException>(async () => await f.Presence.UpdateAsync("alice", Bad(rule, f.Now)));
        var newUser = await Assert.ThrowsAsync<PresenceValidationException>(async () => await f.Presence.UpdateAsync("bob", Bad(rule, f.Now)));

        Assert.Equal([field], error.Errors.Keys);
        Assert.Equal([field], newUser.Errors.Keys);
        Assert.NotEmpty(error.Errors[field][0]);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await f.Presence.GetAsync("alice"));
        Assert.Equal(0, (await f.Presence.GetAsync("bob")).TransactionId);
        var marker = await f.Presence.UpdateAsync("carol", new PresenceUpdate());
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(marker.TransactionId, watch.Current.TransactionId);
    }

    [Theory]
    [InlineData("📅")]
    [InlineData("👍🏽")]
    [InlineData("👨‍👩‍👧")]
    [InlineData("🏳️‍🌈")]
    [InlineData(":palm_tree:")]
    [InlineData(":+1:")]
    public async Task Emoji_of_one_grapheme_cluster_or_a_shortcode_is_accepted(string emoji)
    {
        await using var f = new PresenceFixture();
        Assert.Equal(emoji, (await f.Presence.UpdateAsync("alice", new PresenceUpdate { StatusEmoji = emoji })).Data.StatusEmoji);
    }

    [Fact]
    public async Task Custom_message_at_the_limit_with_emoji_is_accepted()
    {
        await using var f = new PresenceFixture();
        var message = new string('a', 253) + "🌴";
        Assert.Equal(message, (await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = message })).Data.CustomMessage);
    }

    [Fact]
    public async Task Bad_update_reports_every_bad_field()
    {
        await using var f = new PresenceFixture();
        var error = await Assert.ThrowsAsync<PresenceValidationException>(async () => await f.Presence.UpdateAsync("alice", new PresenceUpdate
        {
            CustomMessage = new string('a', 300),
            StatusEmoji = "no",
            StatusExpiresAt = f.Now,
            ActiveChannelId = "",
        }));

        Assert.Equal(["activeChannelId", "customMessage", "statusEmoji", "statusExpiresAt"], error.Errors.Keys.Order());
    }

    [Fact]
    public async Task Limits_follow_the_options()
    {
        await using var f = new PresenceFixture(o =>
        {
            o.MaxCustomMessageLength = 5;
            o.MaxIdLength = 3;
        });

        await Assert.ThrowsAsync<PresenceValidationException>(async () => await f.Presence.UpdateAsync("abc", new PresenceUpdate { CustomMessage = "123456" }));
        await Assert.ThrowsAsync<PresenceValidationException>(async () => await f.Presence.HeartbeatAsync("abcd"));
        await f.Presence.UpdateAsync("abc", new PresenceUpdate { CustomMessage = "12345" });
    }

    // Rule names, not the ids: a lone surrogate does not survive theory-data serialisation.
    [Theory]
    [InlineData("empty")]
    [InlineData("too-long")]
    [InlineData("control")]
    [InlineData("unpaired-surrogate")]
    public async Task Bad_user_id_is_rejected_by_every_member(string rule)
    {
        await using var f = new PresenceFixture();
        var userId = rule switch
        {
            "empty" => "",
            "too-long" => new string('u', 129),
            "control" => "al\u0007ice",
            "unpaired-surrogate" => "al\udc00ice",
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };

        await AssertUserIdRejected(async () => await f.Presence.UpdateAsync(userId, new PresenceUpdate()));
        await AssertUserIdRejected(async () => await f.Presence.HeartbeatAsync(userId));
        await AssertUserIdRejected(async () => await f.Presence.ClearStatusAsync(userId));
        await AssertUserIdRejected(async () => await f.Presence.GetAsync(userId));
        await AssertUserIdRejected(async () => await f.Presence.GetManyAsync(["fine", userId]));
        await AssertUserIdRejected(async () => await f.Presence.ShouldNotifyAsync(userId));
        await AssertUserIdRejected(() => Task.FromResult(f.Presence.WatchAsync([userId])));
        Assert.Equal(0, (await f.Presence.GetAsync("fine")).TransactionId);

        static async Task AssertUserIdRejected(Func<Task> act) =>
            Assert.Equal(["userId"], (await Assert.ThrowsAsync<PresenceValidationException>(act)).Errors.Keys);
    }

    [Fact]
    public async Task Null_user_id_is_rejected()
    {
        await using var f = new PresenceFixture();
        await Assert.ThrowsAsync<PresenceValidationException>(async () => await f.Presence.HeartbeatAsync(null!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("gen\teral")]
    public async Task Bad_channel_id_is_rejected_by_channel_reads(string channelId)
    {
        await using var f = new PresenceFixture();

        Assert.Equal(["channelId"], (await Assert.ThrowsAsync<PresenceValidationException>(async () => await f.Presence.GetActiveInChannelAsync(channelId))).Errors.Keys);
        Assert.Equal(["channelId"], (await Assert.ThrowsAsync<PresenceValidationException>(async () => await f.Presence.ShouldNotifyAsync("alice", channelId))).Errors.Keys);
    }

    [Fact]
    public async Task Negative_resume_point_is_rejected()
    {
        await using var f = new PresenceFixture();
        var error = Assert.Throws<PresenceValidationException>(() => f.Presence.WatchAsync(afterTransactionId: -1));
        Assert.Equal(["afterTransactionId"], error.Errors.Keys);
    }
}

/// <summary>The lowercase wire names of the statuses.</summary>
public sealed class StatusNameTests
{
    [Theory]
    [InlineData(PresenceStatus.Online, "online")]
    [InlineData(PresenceStatus.Away, "away")]
    [InlineData(PresenceStatus.Busy, "busy")]
    [InlineData(PresenceStatus.Dnd, "dnd")]
    [InlineData(PresenceStatus.Offline, "offline")]
    public void Status_round_trips_through_its_wire_name(PresenceStatus status, string name)
    {
        Assert.Equal(name, status.ToWireName());
        Assert.True(PresenceStatusNames.TryParse(name, out var parsed));
        Assert.Equal(status, parsed);
    }

    [Theory]
    [InlineData("Online")]
    [InlineData("invisible")]
    [InlineData("")]
    [InlineData("4")]
    public void Unknown_status_name_does_not_parse(string name) =>
        Assert.False(PresenceStatusNames.TryParse(name, out _));
}
