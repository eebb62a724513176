using Hazel.Presence.Internal;
using Hazel.Presence.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hazel.Presence.Tests;

/// <summary>WatchAsync: order, filtering, resume and overflow.</summary>
public sealed class WatchTests
{
    private static async Task<List<PresenceChange>> TakeAsync(IAsyncEnumerator<PresenceChange> watch, int count)
    {
        var taken = new List<PresenceChange>();
        while (taken.Count < count)
        {
            // The timeout only keeps a broken build from hanging; passing never depends on it.
            Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            taken.Add(watch.Current);
        }

        return taken;
    }

    [Fact]
    public async Task Watcher_gets_committed_changes_in_transaction_id_order()
    {
        await using var f = new PresenceFixture();
        await using var watch = f.Presence.WatchAsync().GetAsyncEnumerator();

        var results = new[]
        {
            await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Busy }),
            await f.Presence.UpdateAsync("bob", new PresenceUpdate()),
            await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "hi" }),
            await f.Presence.ClearStatusAsync("alice"),
        };

        var changes = await TakeAsync(watch, 4);
        Assert.Equal(results.Select(r => r.TransactionId), changes.Select(c => c.TransactionId));
        Assert.Equal(results.Select(r => r.Data), changes.Select(c => c.Presence));
        Assert.Equal(
            [PresenceChangeKind.Created, PresenceChangeKind.Created, PresenceChangeKind.Updated, PresenceChangeKind.StatusCleared],
            changes.Select(c => c.Kind));
    }

    [Fact]
    public async Task In_memory_transaction_ids_keep_rising_across_a_restart()
    {
        long beforeRestart;
        await using (var first = new PresenceFixture())
        {
            beforeRestart = (await first.Presence.UpdateAsync("alice", new PresenceUpdate())).TransactionId;
        }

        // A new host a second later: its fresh in-memory store must not reuse ids a client may still hold.
        var later = new FakeTimeProvider(PresenceFixture.Start.AddSeconds(1));
        await using var restarted = new PresenceFixture(services: s => s.AddSingleton<TimeProvider>(later));
        var afterRestart = (await restarted.Presence.UpdateAsync("alice", new PresenceUpdate())).TransactionId;

        Assert.True(afterRestart > beforeRestart, $"{afterRestart} should be greater than {beforeRestart}");
    }

    [Fact]
    public async Task Watcher_resuming_from_an_id_the_store_never_reached_still_gets_live_changes()
    {
        // A store whose sequence started again (e.g. one built without the start-up id): the caller's resume point
        // is ahead of every id the store will issue for a while; live changes must still arrive.
        await using var f = new PresenceFixture(services: s =>
            s.AddSingleton<IPresenceStore>(sp => new InMemoryPresenceStore(sp.GetRequiredService<IPresenceChangeSink>())));
        await using var watch = f.Presence.WatchAsync(afterTransactionId: 5000).GetAsyncEnumerator();

        var result = await f.Presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Away });

        var change = Assert.Single(await TakeAsync(watch, 1));
        Assert.Equal(result.TransactionId, change.TransactionId);
        Assert.True(change.TransactionId < 5000);
    }

    [Fact]
    public async Task Watcher_of_some_users_gets_only_their_changes()
    {
        await using var f = new PresenceFixture();
        await using var watch = f.Presence.WatchAsync(["alice", "carol"]).GetAsyncEnumerator();

        await f.Presence.UpdateAsync("alice", new PresenceUpdate());
        await f.Presence.UpdateAsync("bob", new PresenceUpdate());
        await f.Presence.HeartbeatAsync("carol");

        Assert.Equal(["alice", "carol"], (await TakeAsync(watch, 2)).Select(c => c.UserId));
    }

    [Fact]
    public async Task Watcher_resuming_gets_the_current_record_of_every_user_changed_since_then_live_changes()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "one" });
        var resumeAt = (await f.Presence.UpdateAsync("bob", new PresenceUpdate())).TransactionId;
        await f.Presence.UpdateAsync("carol", new PresenceUpdate());
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "two" });
        var latestAlice = await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "three" });

        await using var watch = f.Presence.WatchAsync(afterTransactionId: resumeAt).GetAsyncEnumerator();
        var catchUp = await TakeAsync(watch, 2);
        var live = await f.Presence.UpdateAsync("bob", new PresenceUpdate { Status = PresenceStatus.Away });
        var next = await TakeAsync(watch, 1);

        Assert.Equal(["carol", "alice"], catchUp.Select(c => c.UserId));
        Assert.Equal(latestAlice.Data, catchUp[1].Presence);
        Assert.Equal(live.TransactionId, next[0].TransactionId);
    }

    [Fact]
    public async Task Watcher_resuming_gets_the_effective_view_of_records_not_yet_swept()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate
        {
            Status = PresenceStatus.Busy,
            CustomMessage = "short",
            StatusExpiresAt = f.Now.AddSeconds(30),
        });
        f.AdvancePastOfflineTimeout(); // stale and expired, but no sweep has run

        await using var watch = f.Presence.WatchAsync(afterTransactionId: 0).GetAsyncEnumerator();
        var caughtUp = Assert.Single(await TakeAsync(watch, 1)).Presence;

        Assert.Equal(PresenceStatus.Offline, caughtUp.Status);
        Assert.Equal(PresenceStatus.Busy, caughtUp.StatusBeforeOffline);
        Assert.Null(caughtUp.CustomMessage);
        Assert.Equal(await f.Presence.GetAsync("alice"), caughtUp);
    }

    [Fact]
    public async Task Watcher_resuming_with_a_filter_gets_only_those_users()
    {
        await using var f = new PresenceFixture();
        await f.Presence.UpdateAsync("alice", new PresenceUpdate());
        var bob = await f.Presence.UpdateAsync("bob", new PresenceUpdate());

        await using var watch = f.Presence.WatchAsync(["bob"], afterTransactionId: 0).GetAsyncEnumerator();
        var catchUp = await TakeAsync(watch, 1);
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "x" });
        var liveBob = await f.Presence.UpdateAsync("bob", new PresenceUpdate { CustomMessage = "y" });
        var live = await TakeAsync(watch, 1);

        Assert.Equal(bob.Data, catchUp[0].Presence);
        Assert.Equal(liveBob.Data, live[0].Presence);
    }

    [Fact]
    public async Task Watcher_resuming_while_users_change_loses_nothing_and_stays_in_order()
    {
        // A store read is not a snapshot: alice is read, then alice and bob change, then bob is read.
        // Without merging, bob's newer id would hide alice's change that happened in between.
        InterleavingStore? store = null;
        await using var f = new PresenceFixture(services: s => s.AddSingleton<IPresenceStore>(sp =>
            store = new InterleavingStore(new InMemoryPresenceStore(sp.GetRequiredService<IPresenceChangeSink>()))));
        var resumeAt = (await f.Presence.UpdateAsync("carol", new PresenceUpdate())).TransactionId;
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "first" });
        store!.DuringNextRead = async inner =>
        {
            await inner.UpsertAsync("alice", PresenceChangeKind.Updated, p => p! with { CustomMessage = "second" });
            await inner.UpsertAsync("bob", PresenceChangeKind.Updated, p => new UserPresence { Id = Guid.NewGuid(), UserId = "bob", UpdatedAt = f.Now, LastSeenAt = f.Now });
        };

        await using var watch = f.Presence.WatchAsync(afterTransactionId: resumeAt).GetAsyncEnumerator();
        var changes = await TakeAsync(watch, 2);

        Assert.Equal(["alice", "bob"], changes.Select(c => c.UserId));
        Assert.Equal("second", changes[0].Presence.CustomMessage);
        Assert.True(changes[0].TransactionId < changes[1].TransactionId);
    }

    [Fact]
    public async Task Watcher_that_falls_behind_ends_with_overflow_carrying_the_last_delivered_transaction_id()
    {
        await using var f = new PresenceFixture(o => o.WatchBufferSize = 16);
        await using var watch = f.Presence.WatchAsync().GetAsyncEnumerator();
        var first = await f.Presence.UpdateAsync("alice", new PresenceUpdate());
        Assert.True(await watch.MoveNextAsync());

        // 17 more changes: one past what the buffer holds for this reader.
        for (var i = 0; i < 17; i++)
        {
            await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = $"{i}" });
        }

        var overflow = await Assert.ThrowsAsync<PresenceWatchOverflowException>(async () => await watch.MoveNextAsync());
        Assert.Equal(first.TransactionId, overflow.LastTransactionId);

        // Resubscribing from there misses nothing: alice's latest record comes first.
        await using var resumed = f.Presence.WatchAsync(afterTransactionId: overflow.LastTransactionId).GetAsyncEnumerator();
        Assert.True(await resumed.MoveNextAsync());
        Assert.Equal("16", resumed.Current.Presence.CustomMessage);
    }

    [Fact]
    public async Task Watcher_within_the_buffer_gets_every_change()
    {
        await using var f = new PresenceFixture(o => o.WatchBufferSize = 16);
        await using var watch = f.Presence.WatchAsync().GetAsyncEnumerator();
        for (var i = 0; i < 16; i++)
        {
            await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = $"{i}" });
        }

        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"{i}"), (await TakeAsync(watch, 16)).Select(c => c.Presence.CustomMessage));
    }

    [Fact]
    public async Task Watcher_waiting_for_a_change_stops_on_cancellation()
    {
        await using var f = new PresenceFixture();
        using var cts = new CancellationTokenSource();
        await using var watch = f.Presence.WatchAsync(cancellationToken: cts.Token).GetAsyncEnumerator();

        var pending = watch.MoveNextAsync();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
    }

    /// <summary>Runs a callback against the inner store in the middle of the next GetChangedSinceAsync.</summary>
    private sealed class InterleavingStore(IPresenceStore inner) : IPresenceStore
    {
        public Func<IPresenceStore, Task>? DuringNextRead { get; set; }

        public async ValueTask<IReadOnlyList<UserPresence>> GetChangedSinceAsync(long afterTransactionId, IReadOnlyCollection<string>? userIds, int limit, CancellationToken cancellationToken = default)
        {
            var firstPart = await inner.GetChangedSinceAsync(afterTransactionId, userIds, limit, cancellationToken);
            if (DuringNextRead is not { } during)
            {
                return firstPart;
            }

            DuringNextRead = null;
            await during(inner);
            var read = firstPart.ToList();
            var known = read.Select(r => r.UserId).ToHashSet();
            read.AddRange((await inner.GetChangedSinceAsync(afterTransactionId, userIds, limit, cancellationToken)).Where(r => !known.Contains(r.UserId)));
            return read;
        }

        public ValueTask<UserPresence> UpsertAsync(string userId, PresenceChangeKind kind, PresenceMutation mutation, CancellationToken cancellationToken = default) => inner.UpsertAsync(userId, kind, mutation, cancellationToken);

        public ValueTask<PresenceHeartbeatResult> HeartbeatAsync(string userId, DateTimeOffset now, bool restoreStatus, CancellationToken cancellationToken = default) => inner.HeartbeatAsync(userId, now, restoreStatus, cancellationToken);

        public ValueTask<UserPresence?> GetAsync(string userId, CancellationToken cancellationToken = default) => inner.GetAsync(userId, cancellationToken);

        public ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default) => inner.GetManyAsync(userIds, cancellationToken);

        public ValueTask<IReadOnlyList<UserPresence>> GetByChannelAsync(string channelId, CancellationToken cancellationToken = default) => inner.GetByChannelAsync(channelId, cancellationToken);

        public ValueTask<IReadOnlyList<UserPresence>> MarkStaleOfflineAsync(DateTimeOffset lastSeenBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken = default) => inner.MarkStaleOfflineAsync(lastSeenBefore, now, limit, cancellationToken);

        public ValueTask<IReadOnlyList<UserPresence>> ClearExpiredStatusesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) => inner.ClearExpiredStatusesAsync(now, limit, cancellationToken);
    }
}
