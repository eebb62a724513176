using Hazel.Presence.Storage;

namespace Hazel.Presence.Testing;

/// <summary>
/// The contract every <see cref="IPresenceStore"/> must meet. A store's test project inherits this class in a few
/// lines, implementing <see cref="CreateStoreAsync"/>. Every test uses its own user and channel ids and never
/// reads the clock: times are fixed and passed to the store.
/// </summary>
public abstract class PresenceStoreConformanceTests : IAsyncLifetime
{
    /// <summary>The base time of every test.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IPresenceStore> _stores = [];

    /// <summary>
    /// Creates a store that publishes to <paramref name="sink"/>. Within one test every call must open the same
    /// storage (for a durable store the same database, for example a file named per test instance), so a test
    /// can dispose a store and open it again.
    /// </summary>
    protected abstract ValueTask<IPresenceStore> CreateStoreAsync(IPresenceChangeSink sink);

    /// <summary>
    /// Capability: whether a store created again in the same test sees what an earlier, disposed one committed
    /// (true for stores that persist; false for the in-memory store).
    /// </summary>
    protected virtual bool IsDurable => false;

    /// <inheritdoc />
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Disposes every store the test opened.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await DisposeStoreAsync(store);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>For <see cref="PresenceStoreCoverage"/>: opens one store (disposed with the test) to learn which store this class tests.</summary>
    internal async Task<Type> GetStoreTypeAsync()
    {
        var (store, _) = await OpenAsync();
        return store.GetType();
    }

    /// <summary>A new id, unique to this test.</summary>
    protected static string NewId(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Opens a store with a fresh <see cref="RecordingSink"/>; it is disposed at the end of the test.</summary>
    protected async Task<(IPresenceStore Store, RecordingSink Sink)> OpenAsync()
    {
        var sink = new RecordingSink();
        var store = await CreateStoreAsync(sink);
        _stores.Add(store);
        return (store, sink);
    }

    /// <summary>Disposes a store if it is disposable (idempotent for the stores of this suite).</summary>
    protected static async ValueTask DisposeStoreAsync(IPresenceStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>A minimal new record, as a mutation would create it.</summary>
    protected static UserPresence NewRecord(string userId, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        UserId = userId,
        UpdatedAt = now,
        LastSeenAt = now,
    };

    /// <summary>Upserts like the service does: start from the current record (or a new one), touch it at <paramref name="now"/>, apply <paramref name="change"/>.</summary>
    protected static ValueTask<UserPresence> PutAsync(
        IPresenceStore store,
        string userId,
        DateTimeOffset now,
        Func<UserPresence, UserPresence>? change = null,
        PresenceChangeKind kind = PresenceChangeKind.Updated) =>
        store.UpsertAsync(userId, kind, current =>
        {
            var touched = current is null
                ? NewRecord(userId, now)
                : current with { UpdatedAt = now, LastSeenAt = current.LastSeenAt > now ? current.LastSeenAt : now };
            return change is null ? touched : change(touched);
        });

    [Fact]
    public async Task Get_of_unknown_user_returns_null()
    {
        var (store, _) = await OpenAsync();
        Assert.Null(await store.GetAsync(NewId()));
    }

    [Fact]
    public async Task Upsert_creates_a_record_published_as_Created()
    {
        var (store, sink) = await OpenAsync();
        var userId = NewId();
        UserPresence? seen = NewRecord("sentinel", T0);

        var committed = await store.UpsertAsync(userId, PresenceChangeKind.Updated, current =>
        {
            seen = current;
            return NewRecord(userId, T0) with { CustomMessage = "hello" };
        });

        Assert.Null(seen);
        Assert.True(committed.TransactionId > 0);
        Assert.Equal("hello", committed.CustomMessage);
        Assert.Equal(committed, await store.GetAsync(userId));
        var change = Assert.Single(sink.For(userId));
        Assert.Equal(PresenceChangeKind.Created, change.Kind);
        Assert.Equal(committed, change.Presence);
    }

    [Fact]
    public async Task Upsert_of_existing_record_sees_it_and_publishes_the_given_kind()
    {
        var (store, sink) = await OpenAsync();
        var userId = NewId();
        var first = await PutAsync(store, userId, T0, r => r with { Status = PresenceStatus.Busy });

        UserPresence? seen = null;
        var second = await store.UpsertAsync(userId, PresenceChangeKind.StatusCleared, current =>
        {
            seen = current;
            return current! with { CustomMessage = "second" };
        });

        Assert.Equal(first, seen);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(PresenceStatus.Busy, second.Status);
        Assert.True(second.TransactionId > first.TransactionId);
        Assert.Equal([PresenceChangeKind.Created, PresenceChangeKind.StatusCleared], sink.For(userId).Select(c => c.Kind));
        Assert.Equal(second, await store.GetAsync(userId));
    }

    [Fact]
    public async Task Concurrent_read_merge_writes_all_survive()
    {
        var (store, _) = await OpenAsync();
        var userId = NewId();
        await PutAsync(store, userId, T0, r => r with { CustomMessage = "" });

        // Every write appends its token to what it read: a lost update drops a token.
        const int Writers = 64;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
            await PutAsync(store, userId, T0.AddSeconds(i), r => r with { CustomMessage = r.CustomMessage + $"[{i}]" }))));

        var stored = await store.GetAsync(userId);
        Assert.NotNull(stored);
        for (var i = 0; i < Writers; i++)
        {
            Assert.Contains($"[{i}]", stored.CustomMessage, StringComparison.Ordinal);
        }

        Assert.Equal(T0.AddSeconds(Writers - 1), stored.LastSeenAt);
    }

    [Fact]
    public async Task Concurrent_updates_of_different_fields_all_survive()
    {
        var (store, _) = await OpenAsync();
        var userId = NewId();
        var channel = NewId("channel");
        await PutAsync(store, userId, T0);

        Func<UserPresence, UserPresence>[] changes =
        [
            r => r with { Status = PresenceStatus.Busy },
            r => r with { CustomMessage = "In a meeting" },
            r => r with { StatusEmoji = "📅" },
            r => r with { StatusExpiresAt = T0.AddHours(1) },
            r => r with { ActiveChannelId = channel },
            r => r with { SuppressNotifications = true },
        ];
        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(changes.Select(change => Task.Run(async () => await PutAsync(store, userId, T0, change))));
        }

        var stored = await store.GetAsync(userId);
        Assert.NotNull(stored);
        Assert.Equal(PresenceStatus.Busy, stored.Status);
        Assert.Equal("In a meeting", stored.CustomMessage);
        Assert.Equal("📅", stored.StatusEmoji);
        Assert.Equal(T0.AddHours(1), stored.StatusExpiresAt);
        Assert.Equal(channel, stored.ActiveChannelId);
        Assert.True(stored.SuppressNotifications);
    }

    [Fact]
    public async Task A_failing_mutation_fails_only_its_own_call()
    {
        var (store, sink) = await OpenAsync();
        var failing = NewId();
        var others = Enumerable.Range(0, 20).Select(_ => NewId()).ToArray();

        var good = others.Select(id => PutAsync(store, id, T0).AsTask()).ToList();
        var bad = Task.Run(async () => await store.UpsertAsync(failing, PresenceChangeKind.Updated, _ => throw new MutationFailedException()));

        await Assert.ThrowsAsync<MutationFailedException>(() => bad);
        await Task.WhenAll(good);
        Assert.Null(await store.GetAsync(failing));
        Assert.Empty(sink.For(failing));
        Assert.Equal(others.Length, (await store.GetManyAsync(others)).Count);

        // Still usable afterwards, for the same user too.
        var later = await PutAsync(store, failing, T0);
        Assert.Equal(later, await store.GetAsync(failing));
    }

    [Fact]
    public async Task A_mutation_that_changes_the_user_id_is_rejected()
    {
        var (store, _) = await OpenAsync();
        var userId = NewId();
        var other = NewId();

        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () =>
            await store.UpsertAsync(userId, PresenceChangeKind.Updated, _ => NewRecord(other, T0)));

        Assert.Null(await store.GetAsync(userId));
        Assert.Null(await store.GetAsync(other));
    }

    [Fact]
    public async Task Transaction_ids_are_unique_increasing_and_published_in_order()
    {
        var (store, sink) = await OpenAsync();
        var users = Enumerable.Range(0, 20).Select(_ => NewId()).ToArray();
        var beaters = Enumerable.Range(0, 20).Select(_ => NewId()).ToArray();

        var returned = new List<long>();
        var work = new List<Task>();
        for (var round = 0; round < 5; round++)
        {
            var at = T0.AddSeconds(round);
            work.AddRange(users.Select(id => Task.Run(async () =>
            {
                var committed = await PutAsync(store, id, at, r => r with { CustomMessage = $"at {at:O}" });
                lock (returned)
                {
                    returned.Add(committed.TransactionId);
                }
            })));
            work.AddRange(beaters.Select(id => Task.Run(async () =>
            {
                var result = await store.HeartbeatAsync(id, at, restoreStatus: true);
                if (result.Change is { } change)
                {
                    lock (returned)
                    {
                        returned.Add(change.TransactionId);
                    }
                }
            })));
            work.Add(Task.Run(async () => await store.MarkStaleOfflineAsync(T0.AddMinutes(-5), at, 100)));
            work.Add(Task.Run(async () => await store.ClearExpiredStatusesAsync(at, 100)));
        }

        await Task.WhenAll(work);

        var published = sink.Changes.Select(c => c.TransactionId).ToList();
        for (var i = 1; i < published.Count; i++)
        {
            Assert.True(published[i] > published[i - 1], $"Change {i} has transaction id {published[i]} after {published[i - 1]}.");
        }

        // 100 updates and one creation per heartbeating user.
        Assert.Equal(100 + beaters.Length, returned.Count);
        Assert.Equal(returned.Order(), published);
        Assert.All(sink.Changes, c => Assert.Equal(c.TransactionId, c.Presence.TransactionId));
    }

    [Fact]
    public async Task Heartbeat_of_unknown_user_creates_an_online_record()
    {
        var (store, sink) = await OpenAsync();
        var userId = NewId();

        var result = await store.HeartbeatAsync(userId, T0, restoreStatus: true);

        Assert.Equal(T0, result.LastSeenAt);
        var created = Assert.IsType<UserPresence>(result.Change);
        Assert.Equal(userId, created.UserId);
        Assert.Equal(PresenceStatus.Online, created.Status);
        Assert.Equal(T0, created.LastSeenAt);
        Assert.Equal(T0, created.UpdatedAt);
        Assert.NotEqual(Guid.Empty, created.Id);
        Assert.True(created.TransactionId > 0);
        Assert.Equal(created, await store.GetAsync(userId));
        var change = Assert.Single(sink.For(userId));
        Assert.Equal(PresenceChangeKind.Created, change.Kind);
        Assert.Equal(created, change.Presence);
    }

    [Fact]
    public async Task Heartbeat_moves_only_last_seen_and_is_not_a_change()
    {
        var (store, sink) = await OpenAsync();
        var userId = NewId();
        var before = await PutAsync(store, userId, T0, r => r with { Status = PresenceStatus.Away, CustomMessage = "brb" });

        var result = await store.HeartbeatAsync(userId, T0.AddSeconds(30), restoreStatus: true);

        Assert.Null(result.Change);
        Assert.Equal(T0.AddSeconds(30), result.LastSeenAt);
        Assert.Equal(before with { LastSeenAt = T0.AddSeconds(30) }, await store.GetAsync(userId));
        Assert.Single(sink.For(userId));
    }

    [Fact]
    public async Task Heartbeat_never_moves_last_seen_back()
    {
        var (store, _) = await OpenAsync();
        var userId = NewId();
        await store.HeartbeatAsync(userId, T0.AddMinutes(1), restoreStatus: true);

        var result = await store.HeartbeatAsync(userId, T0, restoreStatus: true);

        Assert.Equal(T0.AddMinutes(1), result.LastSeenAt);
        Assert.Equal(T0.AddMinutes(1), (await store.GetAsync(userId))!.LastSeenAt);
    }

    [Fact]
    public async Task Concurrent_heartbeats_of_one_user_keep_the_latest_time_and_create_once()
    {
        var (store, sink) = await OpenAsync();
        var userId = NewId();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            await store.HeartbeatAsync(userId, T0.AddSeconds(i % 17), restoreStatus: true))));

        Assert.Equal(T0.AddSeconds(16), (await store.GetAsync(userId))!.LastSeenAt);
        Assert.Single(results, r => r.Change is not null);
        Assert.All(results, r => Assert.True(r.LastSeenAt >= T0));
        Assert.Equal(PresenceChangeKind.Created, Assert.Single(sink.For(userId)).Kind);
    }

    [Fact]
    public async Task Heartbeat_restores_the_status_remembered_by_the_sweep()
    {
        var (store, sink) = await OpenAsync();
        var userId = NewId();
        await PutAsync(store, userId, T0, r => r with { Status = PresenceStatus.Busy });
        var swept = Assert.Single(await store.MarkStaleOfflineAsync(T0.AddMinutes(2), T0.AddMinutes(3), 10), r => r.UserId == userId);
        Assert.Equal(PresenceStatus.Busy, swept.StatusBeforeOffline);

        var now = T0.AddMinutes(4);
        var result = await store.HeartbeatAsync(userId, now, restoreStatus: true);

        var restored = Assert.IsType<UserPresence>(result.Change);
        Assert.Equal(PresenceStatus.Busy, restored.Status);
        Assert.Null(restored.StatusBeforeOffline);
        Assert.Equal(now, restored.UpdatedAt);
        Assert.Equal(now, restored.LastSeenAt);
        Assert.True(restored.TransactionId > swept.TransactionId);
        Assert.Equal(restored, await store.GetAsync(userId));
        Assert.Equal(
            [PresenceChangeKind.Created, PresenceChangeKind.MarkedOffline, PresenceChangeKind.Restored],
            sink.For(userId).Select(c => c.Kind));
    }

    [Fact]
    public async Task Heartbeat_does_not_restore_when_restore_is_off()
    {
        var (store, sink) = await OpenAsync();
        var userId = NewId();
        await PutAsync(store, userId, T0, r => r with { Status = PresenceStatus.Away });
        var swept = Assert.Single(await store.MarkStaleOfflineAsync(T0.AddMinutes(2), T0.AddMinutes(3), 10), r => r.UserId == userId);

        var result = await store.HeartbeatAsync(userId, T0.AddMinutes(4), restoreStatus: false);

        Assert.Null(result.Change);
        Assert.Equal(T0.AddMinutes(4), result.LastSeenAt);
        Assert.Equal(swept with { LastSeenAt = T0.AddMinutes(4) }, await store.GetAsync(userId));
        Assert.Equal(2, sink.For(userId).Count);
    }

    [Fact]
    public async Task Heartbeat_keeps_a_user_who_chose_offline_offline()
    {
        var (store, sink) = await OpenAsync();
        var userId = NewId();
        var invisible = await PutAsync(store, userId, T0, r => r with { Status = PresenceStatus.Offline });

        var result = await store.HeartbeatAsync(userId, T0.AddSeconds(30), restoreStatus: true);

        Assert.Null(result.Change);
        Assert.Equal(invisible with { LastSeenAt = T0.AddSeconds(30) }, await store.GetAsync(userId));
        Assert.Single(sink.For(userId));
    }

    [Fact]
    public async Task GetMany_returns_known_users_and_skips_unknown_ones()
    {
        var (store, _) = await OpenAsync();
        var known = Enumerable.Range(0, 5).Select(_ => NewId()).ToArray();
        var records = new List<UserPresence>();
        foreach (var id in known)
        {
            records.Add(await PutAsync(store, id, T0));
        }

        var result = await store.GetManyAsync([known[0], NewId(), known[3], NewId(), known[4]]);

        Assert.Equal(
            new[] { records[0], records[3], records[4] }.OrderBy(r => r.UserId, StringComparer.Ordinal),
            result.OrderBy(r => r.UserId, StringComparer.Ordinal));
        Assert.Empty(await store.GetManyAsync([]));
        Assert.Empty(await store.GetManyAsync([NewId(), NewId()]));
    }

    [Fact]
    public async Task GetMany_reads_more_ids_than_fit_one_statement()
    {
        var (store, _) = await OpenAsync();
        var known = Enumerable.Range(0, 1_500).Select(_ => NewId()).ToArray();
        await Task.WhenAll(known.Select(id => store.HeartbeatAsync(id, T0, restoreStatus: true).AsTask()));

        var asked = known.Concat(Enumerable.Range(0, 700).Select(_ => NewId())).ToArray();
        var result = await store.GetManyAsync(asked);

        Assert.Equal(known.Order(StringComparer.Ordinal), result.Select(r => r.UserId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetByChannel_returns_the_channel_members_who_are_not_offline()
    {
        var (store, _) = await OpenAsync();
        var channel = NewId("channel");
        var other = NewId("channel");
        var online = await PutAsync(store, NewId(), T0, r => r with { ActiveChannelId = channel });
        var busy = await PutAsync(store, NewId(), T0.AddMinutes(5), r => r with { ActiveChannelId = channel, Status = PresenceStatus.Busy });
        await PutAsync(store, NewId(), T0.AddMinutes(5), r => r with { ActiveChannelId = channel, Status = PresenceStatus.Offline });
        await PutAsync(store, NewId(), T0.AddMinutes(5), r => r with { ActiveChannelId = other });
        var moved = NewId();
        await PutAsync(store, moved, T0.AddMinutes(5), r => r with { ActiveChannelId = channel });
        await PutAsync(store, moved, T0.AddMinutes(5), r => r with { ActiveChannelId = other });
        var left = NewId();
        await PutAsync(store, left, T0.AddMinutes(5), r => r with { ActiveChannelId = channel });
        await PutAsync(store, left, T0.AddMinutes(5), r => r with { ActiveChannelId = null });

        // Two members go stale and are swept offline (no longer members); one of them comes back.
        var stale = await PutAsync(store, NewId(), T0, r => r with { ActiveChannelId = channel });
        await store.MarkStaleOfflineAsync(T0.AddMinutes(1), T0.AddMinutes(5), 1000);
        var onlineNow = await PutAsync(store, online.UserId, T0.AddMinutes(5), r => r with { Status = PresenceStatus.Online, StatusBeforeOffline = null });

        var members = await store.GetByChannelAsync(channel);

        Assert.Equal(
            new[] { onlineNow, busy }.OrderBy(r => r.UserId, StringComparer.Ordinal),
            members.OrderBy(r => r.UserId, StringComparer.Ordinal));
        Assert.DoesNotContain(members, r => r.UserId == stale.UserId);
        Assert.Empty(await store.GetByChannelAsync(NewId("channel")));
    }

    [Fact]
    public async Task Every_field_round_trips_exactly()
    {
        var (store, sink) = await OpenAsync();
        var channel = NewId("channel");

        // 255 UTF-16 code units mixing ASCII, accents, CJK, a combining mark and astral emoji.
        var message = string.Concat(Enumerable.Repeat("É中é\u0301😀a", 43))[..254] + "z";
        Assert.Equal(255, message.Length);
        var offset = TimeSpan.FromHours(5.5);
        var cases = new Func<string, UserPresence>[]
        {
            id => new UserPresence
            {
                Id = Guid.NewGuid(),
                UserId = id,
                Status = PresenceStatus.Dnd,
                CustomMessage = message,
                StatusEmoji = "👩‍👩‍👧‍👦",
                StatusExpiresAt = new DateTimeOffset(2026, 12, 24, 18, 30, 0, offset).AddTicks(1234567),
                ActiveChannelId = channel,
                SuppressNotifications = true,
                UpdatedAt = new DateTimeOffset(2026, 12, 4, 17, 30, 0, offset).AddTicks(7),
                LastSeenAt = new DateTimeOffset(2026, 12, 4, 4, 0, 0, TimeSpan.FromHours(-8)).AddTicks(9999999),
            },
            id => NewRecord(id, T0) with { CustomMessage = "", StatusEmoji = "", ActiveChannelId = "", Status = PresenceStatus.Away },
            id => NewRecord(id, T0) with { Status = PresenceStatus.Offline, StatusBeforeOffline = PresenceStatus.Busy, StatusEmoji = "🏳️‍🌈" },
            id => NewRecord(id, DateTimeOffset.UnixEpoch) with { Status = PresenceStatus.Online, StatusExpiresAt = DateTimeOffset.MaxValue },
            id => NewRecord(id, T0) with { Status = PresenceStatus.Busy, CustomMessage = "tab\there \"quoted\" 'single' ; DROP TABLE presence; --", StatusEmoji = "🧑🏽‍💻" },
        };

        foreach (var make in cases)
        {
            var userId = NewId();
            var expected = make(userId);
            var committed = await store.UpsertAsync(userId, PresenceChangeKind.Updated, _ => expected);
            Assert.Equal(expected with { TransactionId = committed.TransactionId }, committed);

            var stored = await store.GetAsync(userId);
            Assert.Equal(committed, stored);
            Assert.Equal(expected.CustomMessage, stored!.CustomMessage, StringComparer.Ordinal);
            Assert.Equal(expected.StatusEmoji, stored.StatusEmoji, StringComparer.Ordinal);
            Assert.Equal(expected.LastSeenAt.UtcTicks, stored.LastSeenAt.UtcTicks);
            Assert.Equal(expected.UpdatedAt.UtcTicks, stored.UpdatedAt.UtcTicks);
            Assert.Equal(expected.StatusExpiresAt?.UtcTicks, stored.StatusExpiresAt?.UtcTicks);
            Assert.Equal(committed, Assert.Single(await store.GetManyAsync([userId])));
            Assert.Equal(committed, Assert.Single(await store.GetChangedSinceAsync(committed.TransactionId - 1, [userId], 10)));
            Assert.Equal(committed, sink.For(userId)[^1].Presence);
            if (committed.ActiveChannelId is { Length: > 0 } c && committed.Status != PresenceStatus.Offline)
            {
                Assert.Contains(committed, await store.GetByChannelAsync(c));
            }
        }
    }

    [Fact]
    public async Task MarkStaleOffline_marks_only_stale_users_who_are_not_offline()
    {
        var (store, sink) = await OpenAsync();
        var threshold = T0.AddMinutes(2);
        var now = T0.AddMinutes(3);
        var staleOnline = await PutAsync(store, NewId(), T0, r => r with { CustomMessage = "keep me", ActiveChannelId = "c" });
        var staleBusy = await PutAsync(store, NewId(), T0, r => r with { Status = PresenceStatus.Busy });
        var atThreshold = await PutAsync(store, NewId(), threshold);
        var fresh = await PutAsync(store, NewId(), now);
        var chosenOffline = await PutAsync(store, NewId(), T0, r => r with { Status = PresenceStatus.Offline });

        var changed = await store.MarkStaleOfflineAsync(threshold, now, 1000);

        var mine = changed.Where(r => new[] { staleOnline, staleBusy, atThreshold, fresh, chosenOffline }.Any(x => x.UserId == r.UserId))
            .OrderBy(r => r.TransactionId).ToList();
        Assert.Equal(2, mine.Count);
        foreach (var (before, after) in new[] { staleOnline, staleBusy }.Select(b => (b, mine.Single(r => r.UserId == b.UserId))))
        {
            Assert.Equal(before with { Status = PresenceStatus.Offline, StatusBeforeOffline = before.Status, UpdatedAt = now, TransactionId = after.TransactionId }, after);
            Assert.Equal(after, await store.GetAsync(before.UserId));
            var change = sink.For(before.UserId)[^1];
            Assert.Equal(PresenceChangeKind.MarkedOffline, change.Kind);
            Assert.Equal(after, change.Presence);
        }

        Assert.Equal(atThreshold, await store.GetAsync(atThreshold.UserId));
        Assert.Equal(fresh, await store.GetAsync(fresh.UserId));
        Assert.Equal(chosenOffline, await store.GetAsync(chosenOffline.UserId));
        Assert.Empty(await store.MarkStaleOfflineAsync(threshold, now, 1000));
    }

    [Fact]
    public async Task MarkStaleOffline_transitions_at_most_the_limit_per_call()
    {
        var (store, sink) = await OpenAsync();
        var users = Enumerable.Range(0, 5).Select(_ => NewId()).ToArray();
        for (var i = 0; i < users.Length; i++)
        {
            await PutAsync(store, users[i], T0.AddSeconds(i));
        }

        var batches = new List<int>();
        var all = new List<UserPresence>();
        IReadOnlyList<UserPresence> changed;
        do
        {
            changed = await store.MarkStaleOfflineAsync(T0.AddMinutes(5), T0.AddMinutes(10), 2);
            batches.Add(changed.Count);
            all.AddRange(changed);
        }
        while (changed.Count > 0);

        Assert.Equal([2, 2, 1, 0], batches);
        Assert.Equal(users.Order(StringComparer.Ordinal), all.Select(r => r.UserId).Order(StringComparer.Ordinal));
        Assert.Equal(5, sink.Changes.Count(c => c.Kind == PresenceChangeKind.MarkedOffline));
    }

    [Fact]
    public async Task A_sweep_racing_heartbeats_never_loses_a_heartbeat()
    {
        var (store, _) = await OpenAsync();
        var users = Enumerable.Range(0, 200).Select(_ => NewId()).ToArray();
        await Task.WhenAll(users.Select(id => PutAsync(store, id, T0, r => r with { Status = PresenceStatus.Busy }).AsTask()));
        var beating = users.Where((_, i) => i % 2 == 0).ToHashSet();
        var now = T0.AddMinutes(10);

        // The sweep runs in small batches while the heartbeats land: each heartbeat either comes first (the
        // sweep skips the user) or after (and restores the user). Either way the user ends up busy.
        var sweep = Task.Run(async () =>
        {
            while ((await store.MarkStaleOfflineAsync(T0.AddMinutes(5), now, 7)).Count > 0)
            {
            }
        });
        var heartbeats = beating.Select(id => Task.Run(async () => await store.HeartbeatAsync(id, now, restoreStatus: true))).ToList();
        await Task.WhenAll(heartbeats);
        await sweep;

        foreach (var record in await store.GetManyAsync(users))
        {
            if (beating.Contains(record.UserId))
            {
                Assert.Equal(now, record.LastSeenAt);
                Assert.Equal(PresenceStatus.Busy, record.Status);
                Assert.Null(record.StatusBeforeOffline);
            }
            else
            {
                Assert.Equal(PresenceStatus.Offline, record.Status);
                Assert.Equal(PresenceStatus.Busy, record.StatusBeforeOffline);
                Assert.Equal(T0, record.LastSeenAt);
            }
        }
    }

    [Fact]
    public async Task ClearExpiredStatuses_clears_custom_statuses_due_at_or_before_now()
    {
        var (store, sink) = await OpenAsync();
        var now = T0.AddHours(1);
        UserPresence Custom(UserPresence r, DateTimeOffset? expiresAt) => r with
        {
            Status = PresenceStatus.Busy,
            CustomMessage = "In a meeting",
            StatusEmoji = "📅",
            StatusExpiresAt = expiresAt,
            SuppressNotifications = true,
            ActiveChannelId = "general",
        };
        var past = await PutAsync(store, NewId(), T0, r => Custom(r, T0.AddMinutes(30)));
        var exactlyNow = await PutAsync(store, NewId(), T0, r => Custom(r, now));
        var future = await PutAsync(store, NewId(), T0, r => Custom(r, now.AddTicks(1)));
        var never = await PutAsync(store, NewId(), T0, r => Custom(r, null));

        var changed = await store.ClearExpiredStatusesAsync(now, 1000);

        Assert.Equal(
            new[] { past.UserId, exactlyNow.UserId }.Order(StringComparer.Ordinal),
            changed.Select(r => r.UserId).Order(StringComparer.Ordinal));
        foreach (var before in new[] { past, exactlyNow })
        {
            var after = changed.Single(r => r.UserId == before.UserId);
            Assert.Equal(
                before with
                {
                    CustomMessage = null,
                    StatusEmoji = null,
                    StatusExpiresAt = null,
                    SuppressNotifications = false,
                    UpdatedAt = now,
                    TransactionId = after.TransactionId,
                },
                after);
            Assert.Equal(after, await store.GetAsync(before.UserId));
            Assert.Equal(PresenceChangeKind.StatusExpired, sink.For(before.UserId)[^1].Kind);
        }

        Assert.Equal(future, await store.GetAsync(future.UserId));
        Assert.Equal(never, await store.GetAsync(never.UserId));
        Assert.Empty(await store.ClearExpiredStatusesAsync(now, 1000));
    }

    [Fact]
    public async Task ClearExpiredStatuses_transitions_at_most_the_limit_per_call()
    {
        var (store, _) = await OpenAsync();
        var users = Enumerable.Range(0, 5).Select(_ => NewId()).ToArray();
        foreach (var id in users)
        {
            await PutAsync(store, id, T0, r => r with { CustomMessage = "x", StatusExpiresAt = T0.AddMinutes(1) });
        }

        var batches = new List<int>();
        IReadOnlyList<UserPresence> changed;
        do
        {
            changed = await store.ClearExpiredStatusesAsync(T0.AddMinutes(2), 3);
            batches.Add(changed.Count);
        }
        while (changed.Count > 0);

        Assert.Equal([3, 2, 0], batches);
        Assert.All(await store.GetManyAsync(users), r => Assert.Null(r.CustomMessage));
    }

    [Fact]
    public async Task Sweeps_with_nothing_due_change_and_publish_nothing()
    {
        var (store, sink) = await OpenAsync();
        await PutAsync(store, NewId(), T0, r => r with { StatusExpiresAt = T0.AddHours(1), CustomMessage = "x" });
        var published = sink.Changes.Count;

        Assert.Empty(await store.MarkStaleOfflineAsync(T0.AddMinutes(-1), T0, 1000));
        Assert.Empty(await store.ClearExpiredStatusesAsync(T0, 1000));
        Assert.Equal(published, sink.Changes.Count);
    }

    [Fact]
    public async Task GetChangedSince_is_ascending_exclusive_limited_and_filtered()
    {
        var (store, _) = await OpenAsync();
        var users = Enumerable.Range(0, 6).Select(_ => NewId()).ToArray();
        foreach (var id in users)
        {
            await PutAsync(store, id, T0);
        }

        // Change users 1 and 3 again: their latest version moves to the end.
        var mark = (await store.GetAsync(users[5]))!.TransactionId;
        var again1 = await PutAsync(store, users[1], T0, r => r with { CustomMessage = "again" });
        var again3 = await PutAsync(store, users[3], T0, r => r with { CustomMessage = "again" });
        var all = await store.GetChangedSinceAsync(0, null, 100);

        var txids = all.Select(r => r.TransactionId).ToList();
        Assert.Equal(txids.Order(), txids);
        Assert.Equal(users.Length, all.Count);
        Assert.Equal([again1, again3], await store.GetChangedSinceAsync(mark, null, 100));
        Assert.Equal([again1], await store.GetChangedSinceAsync(mark, null, 1));
        Assert.Equal([again3], await store.GetChangedSinceAsync(again1.TransactionId, null, 100));
        Assert.Empty(await store.GetChangedSinceAsync(again3.TransactionId, null, 100));

        var first = (await store.GetAsync(users[0]))!;
        Assert.Equal([first, again3], await store.GetChangedSinceAsync(0, [users[0], users[3], NewId()], 100));
        Assert.Equal([first], await store.GetChangedSinceAsync(0, [users[0], users[3]], 1));
        Assert.Empty(await store.GetChangedSinceAsync(0, [NewId()], 100));
    }

    [Fact]
    public async Task Records_and_transaction_ids_survive_reopening_the_store()
    {
        Assert.SkipUnless(IsDurable, "The store does not persist across instances.");
        var (store, _) = await OpenAsync();
        var userId = NewId();
        var written = await PutAsync(store, userId, T0, r => r with { Status = PresenceStatus.Busy, CustomMessage = "persist" });
        await DisposeStoreAsync(store);

        var (reopened, sink) = await OpenAsync();
        Assert.Equal(written, await reopened.GetAsync(userId));
        var next = await PutAsync(reopened, NewId(), T0);
        Assert.True(next.TransactionId > written.TransactionId);
        Assert.Equal(next, Assert.Single(sink.Changes).Presence);
    }

    /// <summary>Thrown by a test's mutation.</summary>
    private sealed class MutationFailedException : Exception
    {
        public MutationFailedException()
            : base("The test's mutation failed on purpose.")
        {
        }
    }
}
