namespace Hazel.Presence.Tests;

/// <summary>Real threads racing; the assertions hold for every interleaving.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Heartbeat_racing_a_sweep_is_never_lost()
    {
        await using var f = new PresenceFixture();
        const int usersPerRound = 32;
        for (var round = 0; round < 1_000; round++)
        {
            var userIds = Enumerable.Range(0, usersPerRound).Select(i => $"racer-{round}-{i}").ToArray();
            foreach (var userId in userIds)
            {
                await f.Presence.UpdateAsync(userId, new PresenceUpdate { Status = PresenceStatus.Busy });
            }

            f.AdvancePastOfflineTimeout();

            // Heartbeats walk the users one way while the sweep walks its index; they cross somewhere.
            using var start = new Barrier(2);
            var heartbeats = Task.Run(() =>
            {
                start.SignalAndWait();
                foreach (var userId in userIds)
                {
                    _ = f.Presence.HeartbeatAsync(userId).AsTask().GetAwaiter().GetResult();
                }
            });
            var sweep = Task.Run(() =>
            {
                start.SignalAndWait();
                return f.Presence.SweepOnceAsync().AsTask();
            });
            await Task.WhenAll(heartbeats, sweep);

            // Whichever ran first, every heartbeat wins: the sweep backed off or the heartbeat restored.
            foreach (var presence in await f.Presence.GetManyAsync(userIds))
            {
                Assert.Equal(PresenceStatus.Busy, presence.Status);
                Assert.Equal(f.Now, presence.LastSeenAt);
            }
        }
    }

    [Fact]
    public async Task Heartbeat_between_the_sweep_check_and_its_commit_makes_the_sweep_back_off()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Busy });
        f.AdvancePastOfflineTimeout();
        await using var watch = f.Presence.WatchAsync(["alice"]).GetAsyncEnumerator();
        f.Store.SweepProbe = (userId, afterRecheck) =>
        {
            if (!afterRecheck)
            {
                // The sweep has seen alice stale; her heartbeat lands before its fence.
                _ = f.Presence.HeartbeatAsync(userId).AsTask().GetAwaiter().GetResult();
            }
        };

        var result = await f.Presence.SweepOnceAsync();

        Assert.Equal(0, result.MarkedOffline);
        Assert.Equal(PresenceStatus.Busy, (await f.Presence.GetAsync("alice")).Status);
        var marker = await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "marker" });
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(marker.TransactionId, watch.Current.TransactionId); // no offline blip was published
    }

    [Fact]
    public async Task Heartbeat_after_the_sweep_recheck_waits_and_restores()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Dnd });
        f.AdvancePastOfflineTimeout();
        await using var watch = f.Presence.WatchAsync(["alice"]).GetAsyncEnumerator();
        Task<DateTimeOffset>? heartbeat = null;
        f.Store.SweepProbe = (userId, afterRecheck) =>
        {
            if (afterRecheck)
            {
                // The sweep is committed to marking alice offline; her heartbeat publishes last-seen now and
                // must notice the sweep in flight rather than return as if nothing happened.
                heartbeat = Task.Run(() => f.Presence.HeartbeatAsync(userId).AsTask());
                Assert.True(SpinWait.SpinUntil(
                    () => f.Store.GetAsync(userId).AsTask().Result!.LastSeenAt == f.Now || heartbeat.IsCompleted,
                    TimeSpan.FromSeconds(30)));
            }
        };

        var result = await f.Presence.SweepOnceAsync();
        await heartbeat!;

        Assert.Equal(1, result.MarkedOffline);
        Assert.Equal(PresenceStatus.Dnd, (await f.Presence.GetAsync("alice")).Status);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(PresenceChangeKind.MarkedOffline, watch.Current.Kind);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(PresenceChangeKind.Restored, watch.Current.Kind);
    }

    [Fact]
    public async Task Heartbeat_that_reads_the_entry_while_the_sweep_commits_still_restores()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Dnd });
        f.AdvancePastOfflineTimeout();
        using var reached = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task<DateTimeOffset>? heartbeat = null;
        f.Store.HeartbeatProbe = _ =>
        {
            // The heartbeat has published its last-seen and read half of the entry's state; the sweep now finishes.
            reached.Set();
            Assert.True(release.Wait(TimeSpan.FromSeconds(30)));
        };
        f.Store.SweepProbe = (userId, afterRecheck) =>
        {
            if (afterRecheck)
            {
                // The sweep is committed to marking alice offline; her heartbeat lands after its re-check.
                heartbeat = Task.Run(() => f.Presence.HeartbeatAsync(userId).AsTask());
                Assert.True(reached.Wait(TimeSpan.FromSeconds(30)));
            }
        };

        var result = await f.Presence.SweepOnceAsync();
        release.Set();
        await heartbeat!;

        // The sweep committed before the heartbeat finished, so the heartbeat restores what the sweep hid.
        Assert.Equal(1, result.MarkedOffline);
        Assert.Equal(PresenceStatus.Dnd, (await f.Presence.GetAsync("alice")).Status);
    }

    [Fact]
    public async Task Concurrent_sweeps_make_each_transition_once()
    {
        await using var f = new PresenceFixture(o => o.SweepBatchSize = 50);
        const int users = 1_000;
        for (var i = 0; i < users; i++)
        {
            await f.Presence.UpdateAsync($"u{i}", new PresenceUpdate { CustomMessage = "x", StatusExpiresAt = f.Now.AddMinutes(1) });
        }

        f.AdvancePastOfflineTimeout();
        using var start = new Barrier(4);
        var sweeps = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return f.Presence.SweepOnceAsync().AsTask();
        })));

        Assert.Equal(users, sweeps.Sum(r => r.MarkedOffline));
        Assert.Equal(users, sweeps.Sum(r => r.StatusesExpired));
        Assert.All(await f.Presence.GetManyAsync(Enumerable.Range(0, users).Select(i => $"u{i}").ToArray()), p =>
        {
            Assert.Equal(PresenceStatus.Offline, p.Status);
            Assert.Null(p.CustomMessage);
        });
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
