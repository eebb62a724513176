namespace Hazel.Presence.Tests;

/// <summary>Real threads racing; the assertions hold for every interleaving.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Heartbeat_racing_a_sweep_is_never_lost()
    {
        await using var f = new PresenceFixture();
        for (var i = 0; i < 1_000; i++)
        {
            var userId = $"racer-{i}";
            await f.Presence.UpdateAsync(userId, new PresenceUpdate { Status = PresenceStatus.Busy });
            f.AdvancePastOfflineTimeout();

            using var start = new Barrier(2);
            var heartbeat = Task.Run(() =>
            {
                start.SignalAndWait();
                return f.Presence.HeartbeatAsync(userId).AsTask();
            });
            var sweep = Task.Run(() =>
            {
                start.SignalAndWait();
                return f.Presence.SweepOnceAsync().AsTask();
            });
            await Task.WhenAll(heartbeat, sweep);

            // Whichever ran first, the heartbeat wins: either the sweep backed off or the heartbeat restored.
            var presence = await f.Presence.GetAsync(userId);
            Assert.Equal(PresenceStatus.Busy, presence.Status);
            Assert.Equal(f.Now, presence.LastSeenAt);
            Assert.Equal(f.Now, await heartbeat);
        }
    }

    [Fact]
    public async Task Parallel_updates_of_different_fields_all_survive()
    {
        await using var f = new PresenceFixture();
        var expiresAt = f.Now.AddHours(1);
        Func<string, ValueTask<PresenceResult>>[] writers =
        [
            id => f.Presence.UpdateAsync(id, new PresenceUpdate { Status = PresenceStatus.Dnd }),
            id => f.Presence.UpdateAsync(id, new PresenceUpdate { CustomMessage = "Deep work" }),
            id => f.Presence.UpdateAsync(id, new PresenceUpdate { StatusEmoji = "🎧" }),
            id => f.Presence.UpdateAsync(id, new PresenceUpdate { StatusExpiresAt = expiresAt }),
            id => f.Presence.UpdateAsync(id, new PresenceUpdate { ActiveChannelId = "focus" }),
            id => f.Presence.UpdateAsync(id, new PresenceUpdate { SuppressNotifications = true }),
        ];

        for (var round = 0; round < 200; round++)
        {
            var userId = $"parallel-{round}";
            using var start = new Barrier(writers.Length);
            await Task.WhenAll(writers.Select(write => Task.Run(async () =>
            {
                start.SignalAndWait();
                await write(userId);
            })));

            var presence = await f.Presence.GetAsync(userId);
            Assert.Equal(PresenceStatus.Dnd, presence.Status);
            Assert.Equal("Deep work", presence.CustomMessage);
            Assert.Equal("🎧", presence.StatusEmoji);
            Assert.Equal(expiresAt, presence.StatusExpiresAt);
            Assert.Equal("focus", presence.ActiveChannelId);
            Assert.True(presence.SuppressNotifications);
        }
    }

    [Fact]
    public async Task Concurrent_writers_get_unique_transaction_ids_published_in_order()
    {
        await using var f = new PresenceFixture(o => o.WatchBufferSize = 1 << 16);
        await using var watch = f.Presence.WatchAsync().GetAsyncEnumerator();
        const int writers = 4;
        const int perWriter = 500;

        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var ids = new List<long>();
            for (var i = 0; i < perWriter; i++)
            {
                ids.Add((await f.Presence.UpdateAsync($"w{w}-{i % 7}", new PresenceUpdate { CustomMessage = $"{i}" })).TransactionId);
            }

            return ids;
        })));

        var seen = new List<long>();
        while (seen.Count < writers * perWriter && await watch.MoveNextAsync())
        {
            seen.Add(watch.Current.TransactionId);
        }

        Assert.Equal(results.SelectMany(ids => ids).Order(), seen);
    }
}
