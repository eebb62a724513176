namespace Hazel.Presence.Tests;

/// <summary>userPresenceStatus.update: merge semantics and the seed's implementation notes.</summary>
public sealed class UpdateTests
{
    [Fact]
    public async Task Update_without_record_creates_one_with_defaults_and_online_status()
    {
        await using var f = new PresenceFixture();

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate());

        var data = result.Data;
        Assert.Equal("alice", data.UserId);
        Assert.NotEqual(Guid.Empty, data.Id);
        Assert.Equal(PresenceStatus.Online, data.Status);
        Assert.Null(data.CustomMessage);
        Assert.Null(data.StatusEmoji);
        Assert.Null(data.StatusExpiresAt);
        Assert.Null(data.ActiveChannelId);
        Assert.False(data.SuppressNotifications);
        Assert.Null(data.StatusBeforeOffline);
        Assert.Equal(f.Now, data.LastSeenAt);
        Assert.Equal(f.Now, data.UpdatedAt);
        Assert.True(result.TransactionId > 0);
        Assert.Equal(result.TransactionId, data.TransactionId);
    }

    [Fact]
    public async Task Update_without_record_uses_the_given_status()
    {
        await using var f = new PresenceFixture();

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Busy });

        Assert.Equal(PresenceStatus.Busy, result.Data.Status);
    }

    [Fact]
    public async Task Update_sets_last_seen_and_updated_at_to_now_as_a_heartbeat()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate());
        f.Time.Advance(TimeSpan.FromSeconds(42));

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "hi" });

        Assert.Equal(f.Now, result.Data.LastSeenAt);
        Assert.Equal(f.Now, result.Data.UpdatedAt);
        Assert.Equal(f.Now, (await f.Presence.GetAsync("alice")).LastSeenAt);
    }

    [Fact]
    public async Task Update_keeps_the_record_id_and_increases_the_transaction_id()
    {
        await using var f = new PresenceFixture();
        var first = await f.Presence.UpdateAsync("alice", new PresenceUpdate());

        var second = await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Away });

        Assert.Equal(first.Data.Id, second.Data.Id);
        Assert.True(second.TransactionId > first.TransactionId);
    }

    [Fact]
    public async Task Update_with_no_fields_keeps_every_value_and_counts_as_a_heartbeat()
    {
        await using var f = new PresenceFixture();
        var before = (await f.Presence.UpdateAsync("alice", FullUpdate(f.Now))).Data;
        f.Time.Advance(TimeSpan.FromSeconds(20));

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate());

        Assert.Equal(before with { LastSeenAt = f.Now, UpdatedAt = f.Now, TransactionId = result.TransactionId }, result.Data);
        Assert.True(result.TransactionId > before.TransactionId);
    }

    public static TheoryData<string> Fields => ["status", "customMessage", "statusEmoji", "statusExpiresAt", "activeChannelId", "suppressNotifications"];

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Update_with_a_field_left_out_keeps_the_stored_value(string field)
    {
        await using var f = new PresenceFixture();
        var full = await f.Presence.UpdateAsync("alice", FullUpdate(f.Now));

        // Set every other field to a new value; the one left out must keep its stored value.
        var result = await f.Presence.UpdateAsync("alice", OtherFields(field, f.Now));

        Assert.Equal(Read(full.Data, field), Read(result.Data, field));
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Update_with_a_field_given_replaces_only_that_field(string field)
    {
        await using var f = new PresenceFixture();
        var full = await f.Presence.UpdateAsync("alice", FullUpdate(f.Now));
        var update = field switch
        {
            "status" => new PresenceUpdate { Status = PresenceStatus.Away },
            "customMessage" => new PresenceUpdate { CustomMessage = "On lunch break" },
            "statusEmoji" => new PresenceUpdate { StatusEmoji = "🍕" },
            "statusExpiresAt" => new PresenceUpdate { StatusExpiresAt = f.Now.AddHours(2) },
            "activeChannelId" => new PresenceUpdate { ActiveChannelId = "general" },
            "suppressNotifications" => new PresenceUpdate { SuppressNotifications = false },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        var result = await f.Presence.UpdateAsync("alice", update);

        Assert.NotEqual(Read(full.Data, field), Read(result.Data, field));
        foreach (var other in Fields.Select(row => row.Data).Where(other => other != field))
        {
            Assert.Equal(Read(full.Data, other), Read(result.Data, other));
        }
    }

    [Theory]
    [InlineData("customMessage")]
    [InlineData("statusEmoji")]
    [InlineData("statusExpiresAt")]
    [InlineData("activeChannelId")]
    public async Task Update_with_a_field_set_to_null_clears_it(string field)
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", FullUpdate(f.Now));
        var update = field switch
        {
            "customMessage" => new PresenceUpdate { CustomMessage = null },
            "statusEmoji" => new PresenceUpdate { StatusEmoji = null },
            "statusExpiresAt" => new PresenceUpdate { StatusExpiresAt = null },
            "activeChannelId" => new PresenceUpdate { ActiveChannelId = null },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        var result = await f.Presence.UpdateAsync("alice", update);

        Assert.Null(Read(result.Data, field));
        Assert.Equal(PresenceStatus.Busy, result.Data.Status);
    }

    [Fact]
    public async Task Update_with_the_seed_example_stores_every_field()
    {
        await using var f = new PresenceFixture();
        var expiresAt = f.Now.AddHours(1);

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate
        {
            Status = PresenceStatus.Busy,
            CustomMessage = "In a meeting",
            StatusEmoji = "📅",
            StatusExpiresAt = expiresAt,
            SuppressNotifications = true,
        });

        Assert.Equal(PresenceStatus.Busy, result.Data.Status);
        Assert.Equal("In a meeting", result.Data.CustomMessage);
        Assert.Equal("📅", result.Data.StatusEmoji);
        Assert.Equal(expiresAt, result.Data.StatusExpiresAt);
        Assert.True(result.Data.SuppressNotifications);
        Assert.Equal(result.Data, await f.Presence.GetAsync("alice"));
    }

    [Fact]
    public async Task Update_after_custom_status_expired_starts_from_a_cleared_custom_status()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "Lunch", StatusEmoji = "🍕", StatusExpiresAt = f.Now.AddMinutes(1), SuppressNotifications = true });
        f.Time.Advance(TimeSpan.FromMinutes(2));

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate { ActiveChannelId = "general" });

        Assert.Null(result.Data.CustomMessage);
        Assert.Null(result.Data.StatusEmoji);
        Assert.Null(result.Data.StatusExpiresAt);
        Assert.False(result.Data.SuppressNotifications);
        Assert.Equal("general", result.Data.ActiveChannelId);
    }

    [Fact]
    public async Task Update_stores_expiry_in_utc()
    {
        await using var f = new PresenceFixture();
        var local = f.Now.AddHours(1).ToOffset(TimeSpan.FromHours(2));

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate { StatusExpiresAt = local });

        Assert.Equal(TimeSpan.Zero, result.Data.StatusExpiresAt!.Value.Offset);
        Assert.Equal(local, result.Data.StatusExpiresAt);
    }

    internal static PresenceUpdate FullUpdate(DateTimeOffset now) => new()
    {
        Status = PresenceStatus.Busy,
        CustomMessage = "In a meeting",
        StatusEmoji = "📅",
        StatusExpiresAt = now.AddHours(1),
        ActiveChannelId = "standup",
        SuppressNotifications = true,
    };

    private static PresenceUpdate OtherFields(string leftOut, DateTimeOffset now) => new()
    {
        Status = leftOut == "status" ? Optional<PresenceStatus>.Unset : PresenceStatus.Dnd,
        CustomMessage = leftOut == "customMessage" ? Optional<string?>.Unset : "Focus time",
        StatusEmoji = leftOut == "statusEmoji" ? Optional<string?>.Unset : "🎧",
        StatusExpiresAt = leftOut == "statusExpiresAt" ? Optional<DateTimeOffset?>.Unset : now.AddHours(3),
        ActiveChannelId = leftOut == "activeChannelId" ? Optional<string?>.Unset : "random",
        SuppressNotifications = leftOut == "suppressNotifications" ? Optional<bool>.Unset : false,
    };

    internal static object? Read(UserPresence presence, string field) => field switch
    {
        "status" => presence.Status,
        "customMessage" => presence.CustomMessage,
        "statusEmoji" => presence.StatusEmoji,
        "statusExpiresAt" => presence.StatusExpiresAt,
        "activeChannelId" => presence.ActiveChannelId,
        "suppressNotifications" => presence.SuppressNotifications,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
