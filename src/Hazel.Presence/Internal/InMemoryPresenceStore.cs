using System.Collections.Concurrent;
using Hazel.Presence.Storage;

namespace Hazel.Presence.Internal;

/// <summary>
/// The default store: records in memory, per-user atomic writes under the entry's lock, a commit lock that
/// assigns transaction ids and publishes in order. Last-seen lives beside the immutable record as a tick count,
/// so a steady-state heartbeat is one dictionary lookup and one compare-exchange, allocation-free.
/// </summary>
internal sealed class InMemoryPresenceStore : IPresenceStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _channels = new(StringComparer.Ordinal);
    private readonly IPresenceChangeSink _sink;
    private readonly Lock _commitLock = new();
    private long _lastTransactionId;

    public InMemoryPresenceStore(IPresenceChangeSink sink)
    {
        _sink = sink;
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
            var lastSeen = entry.AdvanceLastSeen(now.UtcTicks);

            // Read the record after publishing last-seen (a full fence): a sweep that marks this user offline
            // either sees our last-seen and backs off, or we see its offline record here and restore it.
            var record = Volatile.Read(ref entry.Record);
            if (record is not null && !(restoreStatus && IsRestorable(record)))
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
                    Id = Guid.NewGuid(),
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
            foreach (var userId in members.Keys)
            {
                if (_entries.TryGetValue(userId, out var entry)
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
        foreach (var entry in _entries.Values)
        {
            if (changed.Count >= limit)
            {
                break;
            }

            if (Volatile.Read(ref entry.LastSeenTicks) >= threshold || entry.Record is not { Status: not PresenceStatus.Offline })
            {
                continue;
            }

            lock (entry)
            {
                var current = entry.Snapshot();
                if (current is null || current.Status == PresenceStatus.Offline || current.LastSeenAt.UtcTicks >= threshold)
                {
                    continue;
                }

                var offline = current with { Status = PresenceStatus.Offline, StatusBeforeOffline = current.Status, UpdatedAt = now };

                // Publish the offline record, then re-read last-seen: a heartbeat that advanced it meanwhile
                // either sees this record (and restores under the lock after us) or is seen here (and we undo).
                Volatile.Write(ref entry.Record, offline);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref entry.LastSeenTicks) >= threshold)
                {
                    Volatile.Write(ref entry.Record, current);
                    continue;
                }

                changed.Add(Commit(entry, current, offline, PresenceChangeKind.MarkedOffline));
            }
        }

        return new ValueTask<IReadOnlyList<UserPresence>>(changed);
    }

    public ValueTask<IReadOnlyList<UserPresence>> ClearExpiredStatusesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        var changed = new List<UserPresence>();
        foreach (var entry in _entries.Values)
        {
            if (changed.Count >= limit)
            {
                break;
            }

            if (entry.Record is not { StatusExpiresAt: { } expiresAt } || expiresAt > now)
            {
                continue;
            }

            lock (entry)
            {
                var current = entry.Snapshot();
                if (current is not { StatusExpiresAt: { } stillExpiresAt } || stillExpiresAt > now)
                {
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

    /// <summary>Assigns the next transaction id, stores and publishes, in one order. Caller holds the entry's lock.</summary>
    private UserPresence Commit(Entry entry, UserPresence? previous, UserPresence next, PresenceChangeKind kind)
    {
        lock (_commitLock)
        {
            var committed = next with { TransactionId = ++_lastTransactionId };
            entry.AdvanceLastSeen(committed.LastSeenAt.UtcTicks);
            Volatile.Write(ref entry.Record, committed);
            UpdateChannelIndex(committed.UserId, previous?.ActiveChannelId, committed.ActiveChannelId);
            _sink.OnCommitted(new PresenceChange(kind, committed));
            return committed;
        }
    }

    private void UpdateChannelIndex(string userId, string? previousChannel, string? nextChannel)
    {
        if (string.Equals(previousChannel, nextChannel, StringComparison.Ordinal))
        {
            return;
        }

        if (previousChannel is not null && _channels.TryGetValue(previousChannel, out var previousMembers))
        {
            previousMembers.TryRemove(userId, out _);
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

        /// <summary>Moves last-seen forward to <paramref name="ticks"/> (never back) and returns the result.</summary>
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
