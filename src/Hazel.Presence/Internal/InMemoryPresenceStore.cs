using System.Collections.Concurrent;
using Hazel.Presence.Storage;

namespace Hazel.Presence.Internal;

/// <summary>
/// The default store: records in memory, per-user atomic writes under the entry's lock, a commit lock that
/// assigns transaction ids and publishes in order.
/// </summary>
/// <remarks>
/// <para>Heartbeats: last-seen lives beside the immutable record as a tick count, so a steady-state heartbeat is
/// one dictionary lookup and one compare-exchange, allocation-free, and touches no index.</para>
/// <para>Stale sweep: a wheel of one-second buckets keyed by an entry's last-seen <em>when it was indexed</em>.
/// Last-seen only moves forward, so an entry's bucket is never later than its real last-seen and a sweep only
/// opens buckets older than the threshold. Heartbeats do not move entries; the sweep re-buckets an entry it finds
/// fresh (at most once per offline timeout per active user), so its cost follows the users due, not the total.</para>
/// <para>Expiry sweep: a priority queue by expiry with at most one live element per entry, re-checked under the
/// entry's lock when it comes due.</para>
/// <para>Lock order: entry, then commit; entry, then wheel or expiry. Sweeps take the wheel or expiry lock alone,
/// release it, then take entry locks.</para>
/// </remarks>
internal sealed class InMemoryPresenceStore : IPresenceStore
{
    private const long SlotTicks = TimeSpan.TicksPerSecond;
    private const long NotQueued = long.MaxValue;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _channels = new(StringComparer.Ordinal);
    private readonly IPresenceChangeSink _sink;
    private readonly Lock _commitLock = new();
    private long _lastTransactionId;

    // Stale index: slot (last-seen seconds) -> entries indexed there. Guarded by _wheelLock.
    private readonly Lock _wheelLock = new();
    private readonly SortedList<long, List<Entry>> _wheel = [];
    private readonly Stack<List<Entry>> _spareBuckets = new();
    private long _sweepVisits;

    // Expiry index. Guarded by _expiryLock; an element is live when its priority equals the entry's QueuedExpiryTicks.
    private readonly Lock _expiryLock = new();
    private readonly PriorityQueue<Entry, long> _expiries = new();
    private int _liveExpiries;

    /// <param name="sink">Receives committed changes in transaction-id order.</param>
    /// <param name="lastTransactionId">The sequence continues after this value (see <see cref="StartupTransactionId"/>).</param>
    public InMemoryPresenceStore(IPresenceChangeSink sink, long lastTransactionId = 0)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(lastTransactionId);
        _sink = sink;
        _lastTransactionId = lastTransactionId;
    }

    /// <summary>
    /// Where a new in-memory store's sequence starts: microseconds since 1970 at start-up. Records do not survive a
    /// restart, but a client resuming with a transaction id from before it must still see every later change as
    /// newer. Stays below 2^53, so JavaScript clients read the ids exactly.
    /// </summary>
    public static long StartupTransactionId(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    /// <summary>
    /// Test seam: called inside a sweep's conditional offline write, under the entry's lock, with the user id and
    /// false before the fence, true after the re-check passed (just before the commit).
    /// </summary>
    internal Action<string, bool>? SweepProbe { get; set; }

    /// <summary>Test seam: called on a heartbeat's fast path between its two reads of the entry's state.</summary>
    internal Action<string>? HeartbeatProbe { get; set; }

    /// <summary>How many entries sweeps have taken out of the stale wheel (for tests: the sweep's cost).</summary>
    internal long SweepVisits
    {
        get
        {
            lock (_wheelLock)
            {
                return _sweepVisits;
            }
        }
    }

    /// <summary>Entries in the stale wheel (for tests: proves offline users leave it).</summary>
    internal int IndexedCount
    {
        get
        {
            lock (_wheelLock)
            {
                var count = 0;
                foreach (var bucket in _wheel.Values)
                {
                    count += bucket.Count;
                }

                return count;
            }
        }
    }

    /// <summary>Elements in the expiry queue, live or stale (for tests: proves the queue stays bounded).</summary>
    internal int ExpiryQueueLength
    {
        get
        {
            lock (_expiryLock)
            {
                return _expiries.Count;
            }
        }
    }

    public ValueTask<UserPresence> UpsertAsync(string userId, PresenceChangeKind kind, PresenceMutation mutation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        cancellationToken.ThrowIfCancellationRequested();
        var entry = _entries.GetOrAdd(userId, static _ => new Entry());
        lock (entry)
        {
            var current = entry.Snapshot();
            var next = mutation(current);
            if (!string.Equals(next.UserId, userId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("A presence mutation must not change the user id.");
            }

            return new ValueTask<UserPresence>(Commit(entry, current, next, current is null ? PresenceChangeKind.Created : kind));
        }
    }

    public ValueTask<PresenceHeartbeatResult> HeartbeatAsync(string userId, DateTimeOffset now, bool restoreStatus, CancellationToken cancellationToken = default)
    {
        if (_entries.TryGetValue(userId, out var entry))
        {
            // AdvanceLastSeen is a full fence. A sweep raises Sweeping (also a full fence) and then re-reads last-seen,
            // so either it sees this heartbeat and backs off, or this read sees it sweeping (or the offline record it
            // committed) and the slow path waits on the entry's lock and restores. Sweeping is read before the
            // record: the sweep commits its record before lowering Sweeping, so a heartbeat that finds the flag
            // already lowered is sure to read the offline record (read the other way round, it could read the
            // record from before the commit and the flag from after it, and skip the restore).
            var lastSeen = entry.AdvanceLastSeen(now.UtcTicks);
            var sweeping = Volatile.Read(ref entry.Sweeping) != 0;
            HeartbeatProbe?.Invoke(userId);
            var record = Volatile.Read(ref entry.Record);
            if (!sweeping && record is not null && !(restoreStatus && IsRestorable(record)))
            {
                return new ValueTask<PresenceHeartbeatResult>(new PresenceHeartbeatResult(ToUtc(lastSeen), null));
            }
        }

        return new ValueTask<PresenceHeartbeatResult>(HeartbeatSlow(userId, now, restoreStatus));
    }

    private PresenceHeartbeatResult HeartbeatSlow(string userId, DateTimeOffset now, bool restoreStatus)
    {
        var entry = _entries.GetOrAdd(userId, static _ => new Entry());
        lock (entry)
        {
            var lastSeen = ToUtc(entry.AdvanceLastSeen(now.UtcTicks));
            var current = entry.Snapshot();
            if (current is null)
            {
                var created = new UserPresence
                {
                    Id = Guid.CreateVersion7(now),
                    UserId = userId,
                    Status = PresenceStatus.Online,
                    UpdatedAt = now,
                    LastSeenAt = lastSeen,
                };
                return new PresenceHeartbeatResult(lastSeen, Commit(entry, null, created, PresenceChangeKind.Created));
            }

            if (restoreStatus && IsRestorable(current))
            {
                var restored = current with { Status = current.StatusBeforeOffline!.Value, StatusBeforeOffline = null, UpdatedAt = now };
                return new PresenceHeartbeatResult(lastSeen, Commit(entry, current, restored, PresenceChangeKind.Restored));
            }

            return new PresenceHeartbeatResult(lastSeen, null);
        }
    }

    public ValueTask<UserPresence?> GetAsync(string userId, CancellationToken cancellationToken = default) =>
        new(_entries.TryGetValue(userId, out var entry) ? entry.Snapshot() : null);

    public ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var result = new List<UserPresence>(userIds.Count);
        foreach (var userId in userIds)
        {
            if (_entries.TryGetValue(userId, out var entry) && entry.Snapshot() is { } record)
            {
                result.Add(record);
            }
        }

        return new ValueTask<IReadOnlyList<UserPresence>>(result);
    }

    public ValueTask<IReadOnlyList<UserPresence>> GetByChannelAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var result = new List<UserPresence>();
        if (_channels.TryGetValue(channelId, out var members))
        {
            foreach (var member in members)
            {
                if (_entries.TryGetValue(member.Key, out var entry)
                    && entry.Snapshot() is { } record
                    && record.Status != PresenceStatus.Offline
                    && string.Equals(record.ActiveChannelId, channelId, StringComparison.Ordinal))
                {
                    result.Add(record);
                }
            }
        }

        return new ValueTask<IReadOnlyList<UserPresence>>(result);
    }

    // A scan: resuming a watch is rare, and this keeps the write path free of another index.
    public ValueTask<IReadOnlyList<UserPresence>> GetChangedSinceAsync(long afterTransactionId, IReadOnlyCollection<string>? userIds, int limit, CancellationToken cancellationToken = default)
    {
        IEnumerable<Entry> candidates = userIds is null
            ? _entries.Values
            : userIds.Select(id => _entries.TryGetValue(id, out var e) ? e : null).OfType<Entry>();
        var result = candidates
            .Select(e => e.Snapshot())
            .OfType<UserPresence>()
            .Where(r => r.TransactionId > afterTransactionId)
            .OrderBy(r => r.TransactionId)
            .Take(limit)
            .ToList();
        return new ValueTask<IReadOnlyList<UserPresence>>(result);
    }

    public ValueTask<IReadOnlyList<UserPresence>> MarkStaleOfflineAsync(DateTimeOffset lastSeenBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        var threshold = lastSeenBefore.UtcTicks;
        var changed = new List<UserPresence>();
        var due = new List<Entry>();
        while (changed.Count < limit)
        {
            due.Clear();
            DetachDue(threshold, limit - changed.Count, due);
            if (due.Count == 0)
            {
                break;
            }

            try
            {
                foreach (var entry in due)
                {
                    // Most entries met here beat since they were indexed: skip them without the entry's lock
                    // (last-seen only grows, so one read at or past the threshold is final).
                    if (changed.Count < limit
                        && Volatile.Read(ref entry.LastSeenTicks) < threshold
                        && TryMarkOffline(entry, threshold, now) is { } offline)
                    {
                        changed.Add(offline);
                    }
                }
            }
            finally
            {
                // Even if a sink throws, detached entries go back, or they would never be swept again.
                Reindex(due);
            }
        }

        return new ValueTask<IReadOnlyList<UserPresence>>(changed);
    }

    public ValueTask<IReadOnlyList<UserPresence>> ClearExpiredStatusesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        var nowTicks = now.UtcTicks;
        var changed = new List<UserPresence>();
        while (changed.Count < limit && TakeDueExpiry(nowTicks) is { } entry)
        {
            lock (entry)
            {
                var current = entry.Snapshot();
                if (current is not { StatusExpiresAt: { } expiresAt })
                {
                    continue;
                }

                if (expiresAt.UtcTicks > nowTicks)
                {
                    // The expiry moved later since this element was queued: queue the new one.
                    EnsureExpiryQueued(entry, expiresAt.UtcTicks);
                    continue;
                }

                var cleared = current with
                {
                    CustomMessage = null,
                    StatusEmoji = null,
                    StatusExpiresAt = null,
                    SuppressNotifications = false,
                    UpdatedAt = now,
                };
                changed.Add(Commit(entry, current, cleared, PresenceChangeKind.StatusExpired));
            }
        }

        return new ValueTask<IReadOnlyList<UserPresence>>(changed);
    }

    private static bool IsRestorable(UserPresence record) =>
        record.Status == PresenceStatus.Offline && record.StatusBeforeOffline is not null;

    private static DateTimeOffset ToUtc(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>
    /// The conditional offline write: under the entry's lock, still not offline and still stale after raising
    /// <see cref="Entry.Sweeping"/>. Returns null when the user is no longer due.
    /// </summary>
    private UserPresence? TryMarkOffline(Entry entry, long threshold, DateTimeOffset now)
    {
        lock (entry)
        {
            var current = entry.Snapshot();
            if (current is null || current.Status == PresenceStatus.Offline || current.LastSeenAt.UtcTicks >= threshold)
            {
                return null;
            }

            SweepProbe?.Invoke(current.UserId, false);
            Interlocked.Exchange(ref entry.Sweeping, 1);
            try
            {
                if (Volatile.Read(ref entry.LastSeenTicks) >= threshold)
                {
                    return null; // a heartbeat landed after the snapshot
                }

                SweepProbe?.Invoke(current.UserId, true);

                var offline = current with { Status = PresenceStatus.Offline, StatusBeforeOffline = current.Status, UpdatedAt = now };
                return Commit(entry, current, offline, PresenceChangeKind.MarkedOffline);
            }
            finally
            {
                Volatile.Write(ref entry.Sweeping, 0);
            }
        }
    }

    /// <summary>Assigns the next transaction id, stores and publishes, in one order. Caller holds the entry's lock.</summary>
    private UserPresence Commit(Entry entry, UserPresence? previous, UserPresence next, PresenceChangeKind kind)
    {
        UserPresence committed;
        lock (_commitLock)
        {
            committed = next with { TransactionId = ++_lastTransactionId };
            entry.AdvanceLastSeen(committed.LastSeenAt.UtcTicks);
            Volatile.Write(ref entry.Record, committed);
            UpdateChannelIndex(committed.UserId, previous?.ActiveChannelId, committed.ActiveChannelId);
            _sink.OnCommitted(new PresenceChange(kind, committed));
        }

        // Indexes are updated after the record is visible; a sweep that reads the entry in between re-checks anyway.
        if (committed.Status != PresenceStatus.Offline && previous is not { Status: not PresenceStatus.Offline })
        {
            lock (_wheelLock)
            {
                if (!entry.Indexed)
                {
                    entry.Indexed = true;
                    AddToWheel(entry);
                }
            }
        }

        if (committed.StatusExpiresAt is { } expiresAt && expiresAt != previous?.StatusExpiresAt)
        {
            EnsureExpiryQueued(entry, expiresAt.UtcTicks);
        }

        return committed;
    }

    /// <summary>Moves up to <paramref name="max"/> entries whose indexed last-seen is before the threshold into <paramref name="due"/>.</summary>
    private void DetachDue(long threshold, int max, List<Entry> due)
    {
        var thresholdSlot = threshold / SlotTicks;
        lock (_wheelLock)
        {
            while (due.Count < max && _wheel.Count > 0)
            {
                var slot = _wheel.Keys[0];
                if (slot > thresholdSlot)
                {
                    break;
                }

                var bucket = _wheel.Values[0];
                if (slot < thresholdSlot)
                {
                    while (bucket.Count > 0 && due.Count < max)
                    {
                        due.Add(bucket[^1]);
                        bucket.RemoveAt(bucket.Count - 1);
                    }
                }
                else
                {
                    // The bucket holding the threshold: only entries really before it are due.
                    var kept = 0;
                    for (var i = 0; i < bucket.Count; i++)
                    {
                        var entry = bucket[i];
                        if (due.Count < max && Volatile.Read(ref entry.LastSeenTicks) < threshold)
                        {
                            due.Add(entry);
                        }
                        else
                        {
                            bucket[kept++] = entry;
                        }
                    }

                    bucket.RemoveRange(kept, bucket.Count - kept);
                }

                if (bucket.Count > 0)
                {
                    break;
                }

                _wheel.RemoveAt(0);
                _spareBuckets.Push(bucket);
            }

            _sweepVisits += due.Count;
        }
    }

    /// <summary>Puts entries a sweep detached back at their current last-seen, or drops those that are offline.</summary>
    private void Reindex(List<Entry> detached)
    {
        lock (_wheelLock)
        {
            foreach (var entry in detached)
            {
                // Read under the wheel lock: a commit making the record not offline either ran its wheel step
                // before (saw Indexed, skipped; its record is visible here) or runs after (sees Indexed false, adds it).
                if (Volatile.Read(ref entry.Record) is { Status: not PresenceStatus.Offline })
                {
                    AddToWheel(entry);
                }
                else
                {
                    entry.Indexed = false;
                }
            }
        }
    }

    /// <summary>Caller holds the wheel lock.</summary>
    private void AddToWheel(Entry entry)
    {
        var slot = Volatile.Read(ref entry.LastSeenTicks) / SlotTicks;
        if (!_wheel.TryGetValue(slot, out var bucket))
        {
            bucket = _spareBuckets.Count > 0 ? _spareBuckets.Pop() : [];
            _wheel.Add(slot, bucket);
        }

        bucket.Add(entry);
    }

    /// <summary>Makes sure the entry has a live queue element at or before <paramref name="expiresAtTicks"/>.</summary>
    private void EnsureExpiryQueued(Entry entry, long expiresAtTicks)
    {
        lock (_expiryLock)
        {
            if (entry.QueuedExpiryTicks <= expiresAtTicks)
            {
                return; // an earlier element will come due first and re-queue this expiry
            }

            if (entry.QueuedExpiryTicks == NotQueued)
            {
                _liveExpiries++;
            }

            entry.QueuedExpiryTicks = expiresAtTicks;
            _expiries.Enqueue(entry, expiresAtTicks);

            // Moving an expiry earlier leaves the later element stale; drop stale elements once they dominate.
            if (_expiries.Count > (2 * _liveExpiries) + 1024)
            {
                var live = new List<(Entry, long)>(_liveExpiries);
                var seen = new HashSet<Entry>(ReferenceEqualityComparer.Instance);
                foreach (var (queued, ticks) in _expiries.UnorderedItems)
                {
                    if (queued.QueuedExpiryTicks == ticks && seen.Add(queued))
                    {
                        live.Add((queued, ticks));
                    }
                }

                _expiries.Clear();
                _expiries.EnqueueRange(live);
            }
        }
    }

    /// <summary>Claims the next live expiry element due at <paramref name="nowTicks"/>, or returns null.</summary>
    private Entry? TakeDueExpiry(long nowTicks)
    {
        lock (_expiryLock)
        {
            while (_expiries.TryPeek(out var entry, out var ticks) && ticks <= nowTicks)
            {
                _expiries.Dequeue();
                if (entry.QueuedExpiryTicks == ticks)
                {
                    entry.QueuedExpiryTicks = NotQueued;
                    _liveExpiries--;
                    return entry;
                }
            }

            return null;
        }
    }

    /// <summary>Caller holds the commit lock, which also serialises every change to the channel index.</summary>
    private void UpdateChannelIndex(string userId, string? previousChannel, string? nextChannel)
    {
        if (string.Equals(previousChannel, nextChannel, StringComparison.Ordinal))
        {
            return;
        }

        if (previousChannel is not null && _channels.TryGetValue(previousChannel, out var previousMembers))
        {
            previousMembers.TryRemove(userId, out _);
            if (previousMembers.IsEmpty)
            {
                _channels.TryRemove(previousChannel, out _);
            }
        }

        if (nextChannel is not null)
        {
            _channels.GetOrAdd(nextChannel, static _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[userId] = 0;
        }
    }

    private sealed class Entry
    {
        /// <summary>The committed record (its last-seen may lag <see cref="LastSeenTicks"/>); null until created.</summary>
        public UserPresence? Record;

        /// <summary>Last-seen in UTC ticks; only moves forward.</summary>
        public long LastSeenTicks;

        /// <summary>1 while a sweep is deciding, under the entry's lock, whether to mark this user offline.</summary>
        public int Sweeping;

        /// <summary>In the stale wheel, or detached by a sweep that will put it back. Guarded by the wheel lock.</summary>
        public bool Indexed;

        /// <summary>The priority of this entry's live expiry element, or <see cref="NotQueued"/>. Guarded by the expiry lock.</summary>
        public long QueuedExpiryTicks = NotQueued;

        /// <summary>Moves last-seen forward to <paramref name="ticks"/> (never back) and returns the result; a full fence.</summary>
        public long AdvanceLastSeen(long ticks)
        {
            var seen = Volatile.Read(ref LastSeenTicks);
            while (seen < ticks)
            {
                var observed = Interlocked.CompareExchange(ref LastSeenTicks, ticks, seen);
                if (observed == seen)
                {
                    return ticks;
                }

                seen = observed;
            }

            // No write happened: still fence so the caller's next read is ordered after this point.
            Interlocked.MemoryBarrier();
            return seen;
        }

        /// <summary>The record with the current last-seen folded in.</summary>
        public UserPresence? Snapshot()
        {
            var record = Volatile.Read(ref Record);
            if (record is null)
            {
                return null;
            }

            var ticks = Volatile.Read(ref LastSeenTicks);
            return ticks > record.LastSeenAt.UtcTicks ? record with { LastSeenAt = ToUtc(ticks) } : record;
        }
    }
}
