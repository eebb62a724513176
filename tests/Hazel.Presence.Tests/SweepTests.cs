using Hazel.Presence.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Hazel.Presence.Tests;

/// <summary>SweepOnceAsync: offline detection, restore, expiry. Always called directly, never through the hosted loop.</summary>
public sealed class SweepTests
{
    [Fact]
    public async Task Sweep_marks_a_stale_user_offline_once_and_emits_one_change()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Busy });
        await using var watch = f.Presence.WatchAsync(["alice"]).GetAsyncEnumerator();
        f.AdvancePastOfflineTimeout();

        var first = await f.Presence.SweepOnceAsync();
        var second = await f.Presence.SweepOnceAsync();
        var marker = await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Away });

        Assert.Equal(new PresenceSweepResult(1, 0), first);
        Assert.Equal(new PresenceSweepResult(0, 0), second);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(PresenceChangeKind.MarkedOffline, watch.Current.Kind);
        Assert.Equal(PresenceStatus.Offline, watch.Current.Presence.Status);
        Assert.Equal(PresenceStatus.Busy, watch.Current.Presence.StatusBeforeOffline);
        Assert.Equal(f.Now, watch.Current.Presence.UpdatedAt);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(marker.TransactionId, watch.Current.TransactionId); // nothing from the second sweep
    }

    [Fact]
    public async Task Sweep_leaves_users_with_a_recent_heartbeat_alone()
    {
        await using var f = new PresenceFixture();
        await f.Presence.HeartbeatAsync("alice");
        await f.Presence.HeartbeatAsync("bob");
        f.Time.Advance(f.Options.OfflineAfter / 2);
        await f.Presence.HeartbeatAsync("alice");
        f.Time.Advance((f.Options.OfflineAfter / 2) + TimeSpan.FromSeconds(1));

        var result = await f.Presence.SweepOnceAsync();

        Assert.Equal(1, result.MarkedOffline);
        Assert.Equal(PresenceStatus.Online, (await f.Presence.GetAsync("alice")).Status);
        Assert.Equal(PresenceStatus.Offline, (await f.Presence.GetAsync("bob")).Status);
    }

    [Fact]
    public async Task Sweep_does_not_touch_a_user_who_chose_offline()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Offline });
        f.AdvancePastOfflineTimeout();

        var result = await f.Presence.SweepOnceAsync();

        Assert.Equal(0, result.MarkedOffline);
        Assert.Null((await f.Presence.GetAsync("alice")).StatusBeforeOffline);
    }

    [Fact]
    public async Task Heartbeat_after_sweep_restores_previous_status()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Dnd });
        f.AdvancePastOfflineTimeout();
        await f.Presence.SweepOnceAsync();
        await using var watch = f.Presence.WatchAsync(["alice"]).GetAsyncEnumerator();

        await f.Presence.HeartbeatAsync("alice");

        var presence = await f.Presence.GetAsync("alice");
        Assert.Equal(PresenceStatus.Dnd, presence.Status);
        Assert.Null(presence.StatusBeforeOffline);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(PresenceChangeKind.Restored, watch.Current.Kind);
        Assert.Equal(PresenceStatus.Dnd, watch.Current.Presence.Status);
    }

    [Fact]
    public async Task Heartbeat_after_self_chosen_offline_stays_offline()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Offline });
        f.AdvancePastOfflineTimeout();
        await f.Presence.SweepOnceAsync();

        await f.Presence.HeartbeatAsync("alice");

        Assert.Equal(PresenceStatus.Offline, (await f.Presence.GetAsync("alice")).Status);
    }

    [Fact]
    public async Task Heartbeat_after_sweep_does_not_restore_when_restore_is_off()
    {
        await using var f = new PresenceFixture(o => o.RestoreStatusOnHeartbeat = false);
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Dnd });
        f.AdvancePastOfflineTimeout();
        await f.Presence.SweepOnceAsync();

        var lastSeen = await f.Presence.HeartbeatAsync("alice");

        var presence = await f.Presence.GetAsync("alice");
        Assert.Equal(PresenceStatus.Offline, presence.Status);
        Assert.Equal(f.Now, lastSeen);
        Assert.Equal(f.Now, presence.LastSeenAt);
    }

    [Fact]
    public async Task Update_after_sweep_restores_previous_status_unless_it_sets_one()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Busy });
        await f.Presence.UpdateAsync("bob", new PresenceUpdate { Status = PresenceStatus.Busy });
        f.AdvancePastOfflineTimeout();
        await f.Presence.SweepOnceAsync();

        var alice = await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "back" });
        var bob = await f.Presence.UpdateAsync("bob", new PresenceUpdate { Status = PresenceStatus.Away });

        Assert.Equal(PresenceStatus.Busy, alice.Data.Status);
        Assert.Null(alice.Data.StatusBeforeOffline);
        Assert.Equal(PresenceStatus.Away, bob.Data.Status);
        Assert.Null(bob.Data.StatusBeforeOffline);
    }

    [Fact]
    public async Task Clear_status_after_sweep_restores_previous_status()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Away });
        f.AdvancePastOfflineTimeout();
        await f.Presence.SweepOnceAsync();

        var cleared = await f.Presence.ClearStatusAsync("alice");

        Assert.Equal(PresenceStatus.Away, cleared.Data.Status);
    }

    [Fact]
    public async Task Restored_user_is_swept_offline_again_after_the_next_timeout()
    {
        await using var f = new PresenceFixture();
        await f.Presence.HeartbeatAsync("alice");
        f.AdvancePastOfflineTimeout();
        await f.Presence.SweepOnceAsync();
        await f.Presence.HeartbeatAsync("alice");

        f.AdvancePastOfflineTimeout();
        var result = await f.Presence.SweepOnceAsync();

        Assert.Equal(1, result.MarkedOffline);
        Assert.Equal(PresenceStatus.Offline, (await f.Presence.GetAsync("alice")).Status);
    }

    [Fact]
    public async Task Sweep_clears_an_expired_custom_status_and_resets_suppress_notifications()
    {
        await using var f = new PresenceFixture(o => o.OfflineAfter = TimeSpan.FromHours(2));
        await f.Presence.UpdateAsync("alice", UpdateTests.FullUpdate(f.Now));
        await f.Presence.HeartbeatAsync("alice");
        var lastSeen = f.Now;
        await using var watch = f.Presence.WatchAsync(["alice"]).GetAsyncEnumerator();
        f.Time.Advance(TimeSpan.FromHours(1));

        var result = await f.Presence.SweepOnceAsync();

        Assert.Equal(1, result.StatusesExpired);
        Assert.True(await watch.MoveNextAsync());
        var change = watch.Current;
        Assert.Equal(PresenceChangeKind.StatusExpired, change.Kind);
        Assert.Null(change.Presence.CustomMessage);
        Assert.Null(change.Presence.StatusEmoji);
        Assert.Null(change.Presence.StatusExpiresAt);
        Assert.False(change.Presence.SuppressNotifications);
        Assert.Equal("standup", change.Presence.ActiveChannelId);
        Assert.Equal(lastSeen, change.Presence.LastSeenAt); // an expiry is not a heartbeat
        Assert.Equal(f.Now, change.Presence.UpdatedAt);
        Assert.Equal(0, (await f.Presence.SweepOnceAsync()).StatusesExpired);
    }

    [Fact]
    public async Task Sweep_keeps_a_custom_status_whose_expiry_moved_later()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "Lunch", StatusExpiresAt = f.Now.AddMinutes(10) });
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { StatusExpiresAt = f.Now.AddMinutes(30) });

        f.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(0, (await f.Presence.SweepOnceAsync()).StatusesExpired);
        Assert.Equal("Lunch", (await f.Presence.GetAsync("alice")).CustomMessage);

        f.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, (await f.Presence.SweepOnceAsync()).StatusesExpired);
    }

    [Fact]
    public async Task Sweep_clears_a_custom_status_whose_expiry_moved_earlier()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "Lunch", StatusExpiresAt = f.Now.AddMinutes(30) });
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { StatusExpiresAt = f.Now.AddMinutes(10) });

        f.Time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(1, (await f.Presence.SweepOnceAsync()).StatusesExpired);
        Assert.Equal(0, (await f.Presence.SweepOnceAsync()).StatusesExpired);
    }

    [Fact]
    public async Task Sweep_ignores_a_custom_status_cleared_before_its_expiry()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "Lunch", StatusExpiresAt = f.Now.AddMinutes(10) });
        await f.Presence.ClearStatusAsync("alice");

        f.Time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(0, (await f.Presence.SweepOnceAsync()).StatusesExpired);
    }

    [Fact]
    public async Task Sweep_transitions_more_users_than_one_batch()
    {
        await using var f = new PresenceFixture(o => o.SweepBatchSize = 7);
        for (var i = 0; i < 50; i++)
        {
            await f.Presence.UpdateAsync($"u{i}", new PresenceUpdate { CustomMessage = "x", StatusExpiresAt = f.Now.AddMinutes(1) });
        }

        f.AdvancePastOfflineTimeout();
        var result = await f.Presence.SweepOnceAsync();

        Assert.Equal(new PresenceSweepResult(50, 50), result);
    }

    [Fact]
    public async Task Sweep_visits_each_active_user_at_most_once_per_timeout()
    {
        await using var f = new PresenceFixture();
        const int users = 2_000;
        for (var i = 0; i < users; i++)
        {
            await f.Presence.HeartbeatAsync($"u{i}");
        }

        // Everyone but u0 keeps beating every 15 s; u0 is stale only once more than 2 min passed.
        for (var beat = 0; beat < 9; beat++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(15));
            for (var i = 1; i < users; i++)
            {
                await f.Presence.HeartbeatAsync($"u{i}");
            }

            var result = await f.Presence.SweepOnceAsync();
            Assert.Equal(beat == 8 ? 1 : 0, result.MarkedOffline);
        }

        // The sweep that found u0 due re-bucketed the active users it met; the next sweeps open nothing.
        var visits = f.Store.SweepVisits;
        Assert.InRange(visits, 1, users);
        f.Time.Advance(TimeSpan.FromSeconds(15));
        await f.Presence.SweepOnceAsync();
        Assert.Equal(visits, f.Store.SweepVisits);
        Assert.Equal(users - 1, f.Store.IndexedCount);
    }

    [Fact]
    public async Task Users_marked_offline_leave_the_sweep_index()
    {
        await using var f = new PresenceFixture();
        for (var i = 0; i < 10; i++)
        {
            await f.Presence.HeartbeatAsync($"u{i}");
        }

        Assert.Equal(10, f.Store.IndexedCount);
        f.AdvancePastOfflineTimeout();
        await f.Presence.SweepOnceAsync();
        Assert.Equal(0, f.Store.IndexedCount);
        await f.Presence.HeartbeatAsync("u3");
        Assert.Equal(1, f.Store.IndexedCount);
    }

    [Fact]
    public async Task Expiry_queue_stays_bounded_when_expiries_keep_moving_earlier()
    {
        await using var f = new PresenceFixture();
        for (var i = 0; i < 5_000; i++)
        {
            await f.Presence.UpdateAsync("alice", new PresenceUpdate { StatusExpiresAt = f.Now.AddHours(10) - TimeSpan.FromSeconds(i) });
        }

        Assert.InRange(f.Store.ExpiryQueueLength, 1, 1030);
        f.Time.Advance(TimeSpan.FromHours(10));
        Assert.Equal(1, (await f.Presence.SweepOnceAsync()).StatusesExpired);
        Assert.Equal(0, f.Store.ExpiryQueueLength);
    }

    [Fact]
    public async Task Sweeper_service_with_run_sweeper_off_returns_without_sweeping()
    {
        await using var f = new PresenceFixture();
        var sweeper = f.Provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<PresenceSweeperService>().Single();

        await sweeper.StartAsync(TestContext.Current.CancellationToken);
        await sweeper.ExecuteTask!;
        await sweeper.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(sweeper.ExecuteTask.IsCompletedSuccessfully);
    }
}
