using Hazel.Presence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hazel.Presence.Tests;

public sealed class UpdateTests
{
    [Fact]
    public async Task Update_creates_online_record_and_merges_fields()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time);
        services.AddHazelPresence();
        await using var provider = services.BuildServiceProvider();
        var presence = provider.GetRequiredService<IPresenceService>();

        var first = await presence.UpdateAsync("u1", new PresenceUpdate { CustomMessage = "In a meeting" });
        Assert.Equal(PresenceStatus.Online, first.Data.Status);
        Assert.Equal("In a meeting", first.Data.CustomMessage);

        time.Advance(TimeSpan.FromSeconds(5));
        var second = await presence.UpdateAsync("u1", new PresenceUpdate { Status = PresenceStatus.Busy });
        Assert.Equal(PresenceStatus.Busy, second.Data.Status);
        Assert.Equal("In a meeting", second.Data.CustomMessage);
        Assert.Equal(time.GetUtcNow(), second.Data.LastSeenAt);
        Assert.True(second.TransactionId > first.TransactionId);
    }
}
