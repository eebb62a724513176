using System.Runtime.CompilerServices;
using Hazel.Presence.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hazel.Presence.Internal;

internal sealed class PresenceService : IPresenceService
{
    private readonly IPresenceStore _store;
    private readonly PresenceChangeFeed _feed;
    private readonly TimeProvider _time;
    private readonly PresenceOptions _options;
    private readonly PresenceMetrics _metrics;
    private readonly ILogger<PresenceService> _logger;

    public PresenceService(
        IPresenceStore store,
        PresenceChangeFeed feed,
        TimeProvider time,
        IOptions<PresenceOptions> options,
        PresenceMetrics metrics,
        ILogger<PresenceService> logger)
    {
        _store = store;
        _feed = feed;
        _time = time;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
    }

    public async ValueTask<PresenceResult> UpdateAsync(string userId, PresenceUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        PresenceValidator.ValidateUserId(userId, _options);
        var now = _time.GetUtcNow();
        PresenceValidator.ValidateUpdate(update, now, _options);

        var restore = _options.RestoreStatusOnHeartbeat;
        var committed = await _store.UpsertAsync(
            userId,
            PresenceChangeKind.Updated,
            current => Merge(current, userId, now, restore, update),
            cancellationToken).ConfigureAwait(false);
        _metrics.Updates.Add(1);
        return new PresenceResult(Effective(committed, now), committed.TransactionId);
    }

    public ValueTask<DateTimeOffset> HeartbeatAsync(string userId, CancellationToken cancellationToken = default)
    {
        PresenceValidator.ValidateUserId(userId, _options);
        var pending = _store.HeartbeatAsync(userId, _time.GetUtcNow(), _options.RestoreStatusOnHeartbeat, cancellationToken);
        _metrics.Heartbeats.Add(1);
        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<DateTimeOffset>(pending.Result.LastSeenAt);
        }

        return AwaitLastSeen(pending);

        static async ValueTask<DateTimeOffset> AwaitLastSeen(ValueTask<PresenceHeartbeatResult> pending) =>
            (await pending.ConfigureAwait(false)).LastSeenAt;
    }

    public async ValueTask<PresenceResult> ClearStatusAsync(string userId, CancellationToken cancellationToken = default)
    {
        PresenceValidator.ValidateUserId(userId, _options);
        var now = _time.GetUtcNow();
        var restore = _options.RestoreStatusOnHeartbeat;
        var committed = await _store.UpsertAsync(
            userId,
            PresenceChangeKind.StatusCleared,
            current => Clear(current, userId, now, restore),
            cancellationToken).ConfigureAwait(false);
        _metrics.Updates.Add(1);
        return new PresenceResult(Effective(committed, now), committed.TransactionId);
    }

    public async ValueTask<UserPresence> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        PresenceValidator.ValidateUserId(userId, _options);
        var stored = await _store.GetAsync(userId, cancellationToken).ConfigureAwait(false);
        return stored is null ? UserPresence.Unknown(userId) : Effective(stored, _time.GetUtcNow());
    }

    public async ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        foreach (var userId in userIds)
        {
            PresenceValidator.ValidateUserId(userId, _options);
        }

        if (userIds.Count == 0)
        {
            return [];
        }

        var distinct = new HashSet<string>(userIds, StringComparer.Ordinal);
        var stored = await _store.GetManyAsync(distinct, cancellationToken).ConfigureAwait(false);
        var byId = new Dictionary<string, UserPresence>(stored.Count, StringComparer.Ordinal);
        foreach (var record in stored)
        {
            byId[record.UserId] = record;
        }

        var now = _time.GetUtcNow();
        var result = new UserPresence[userIds.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = byId.TryGetValue(userIds[i], out var record) ? Effective(record, now) : UserPresence.Unknown(userIds[i]);
        }

        return result;
    }

    public async ValueTask<IReadOnlyList<UserPresence>> GetActiveInChannelAsync(string channelId, CancellationToken cancellationToken = default)
    {
        PresenceValidator.ThrowIfInvalidId("channelId", channelId, _options);
        var stored = await _store.GetByChannelAsync(channelId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var result = new List<UserPresence>(stored.Count);
        foreach (var record in stored)
        {
            var effective = Effective(record, now);
            if (effective.Status != PresenceStatus.Offline && effective.ActiveChannelId == channelId)
            {
                result.Add(effective);
            }
        }

        return result;
    }

    public async ValueTask<bool> ShouldNotifyAsync(string userId, string? channelId = null, CancellationToken cancellationToken = default)
    {
        PresenceValidator.ValidateUserId(userId, _options);
        if (channelId is not null)
        {
            PresenceValidator.ThrowIfInvalidId("channelId", channelId, _options);
        }

        var presence = await GetAsync(userId, cancellationToken).ConfigureAwait(false);
        // A dnd hidden by an automatic offline still counts: the user asked not to be disturbed.
        if (presence.Status == PresenceStatus.Dnd || presence.StatusBeforeOffline == PresenceStatus.Dnd || presence.SuppressNotifications)
        {
            return false;
        }

        var viewingChannel = channelId is not null
            && presence.Status != PresenceStatus.Offline
            && string.Equals(presence.ActiveChannelId, channelId, StringComparison.Ordinal);
        return !viewingChannel;
    }

    public IAsyncEnumerable<PresenceChange> WatchAsync(
        IReadOnlyCollection<string>? userIds = null,
        long? afterTransactionId = null,
        CancellationToken cancellationToken = default)
    {
        if (afterTransactionId < 0)
        {
            throw new PresenceValidationException("afterTransactionId", "must not be negative.");
        }

        HashSet<string>? filter = null;
        if (userIds is not null)
        {
            foreach (var userId in userIds)
            {
                PresenceValidator.ValidateUserId(userId, _options);
            }

            filter = new HashSet<string>(userIds, StringComparer.Ordinal);
        }

        // Register before reading the store so nothing committed in between is missed.
        var subscription = _feed.Subscribe();
        return WatchCore(subscription, filter, afterTransactionId, cancellationToken);
    }

    private async IAsyncEnumerable<PresenceChange> WatchCore(
        PresenceChangeFeed.Subscription subscription,
        HashSet<string>? filter,
        long? afterTransactionId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Where the caller would resume from (reported on overflow).
        var resumeFrom = afterTransactionId ?? 0;

        // Live changes at or below this were already delivered by the catch-up. It is not the caller's own
        // afterTransactionId: every change committed after subscribing is newer than anything the caller saw, unless
        // the store's sequence started again (an in-memory store before a restart) — then skipping would starve it.
        var caughtUpTo = 0L;
        if (afterTransactionId is { } after)
        {
            foreach (var change in await CatchUpAsync(subscription, filter, after, cancellationToken).ConfigureAwait(false))
            {
                resumeFrom = caughtUpTo = change.TransactionId;
                yield return change;
            }
        }

        while (true)
        {
            var change = await subscription.ReadAsync(resumeFrom, cancellationToken).ConfigureAwait(false);
            if (change.TransactionId <= caughtUpTo || (filter is not null && !filter.Contains(change.UserId)))
            {
                continue;
            }

            resumeFrom = change.TransactionId;
            yield return change;
        }
    }

    /// <summary>
    /// The current record of every watched user changed after <paramref name="after"/>, merged with the changes
    /// published while reading them, latest per user, in transaction-id order.
    /// </summary>
    /// <remarks>
    /// A store read need not be a snapshot: a user read early may change again before a user read later, so the
    /// later read carries a higher transaction id than a change the earlier read missed. That missed change was
    /// published before the higher one became visible (the in-memory store commits and publishes under one lock;
    /// a store reading each page in one transaction sees both or neither), so draining the feed after the read and
    /// keeping the latest record per user leaves nothing behind, and every live change after it is newer.
    /// Memory is one record per user changed since <paramref name="after"/>: resuming is the rare path.
    /// </remarks>
    private async ValueTask<List<PresenceChange>> CatchUpAsync(
        PresenceChangeFeed.Subscription subscription,
        HashSet<string>? filter,
        long after,
        CancellationToken cancellationToken)
    {
        const int page = 1000;
        var latest = new Dictionary<string, PresenceChange>(StringComparer.Ordinal);
        var cursor = after;
        while (true)
        {
            var records = await _store.GetChangedSinceAsync(cursor, filter, page, cancellationToken).ConfigureAwait(false);
            foreach (var record in records)
            {
                cursor = Math.Max(cursor, record.TransactionId);
                // Like every read: the effective view (stale reads offline, an expired status reads cleared).
                KeepLatest(latest, new PresenceChange(PresenceChangeKind.Updated, Effective(record, _time.GetUtcNow())));
            }

            if (records.Count < page)
            {
                break;
            }
        }

        // Nothing was delivered yet, so an overflow here reports the caller's own resume point. Everything published
        // since subscribing is new to the caller, whatever its id (see WatchCore), so no id filter here.
        while (subscription.TryRead(after, out var change))
        {
            if (filter is null || filter.Contains(change.UserId))
            {
                KeepLatest(latest, change);
            }
        }

        var ordered = latest.Values.ToList();
        ordered.Sort(static (a, b) => a.TransactionId.CompareTo(b.TransactionId));
        return ordered;

        static void KeepLatest(Dictionary<string, PresenceChange> latest, PresenceChange change)
        {
            // On a tie the published change wins: it carries the real kind, the store read only the record.
            if (!latest.TryGetValue(change.UserId, out var known) || known.TransactionId <= change.TransactionId)
            {
                latest[change.UserId] = change;
            }
        }
    }

    public async ValueTask<PresenceSweepResult> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var now = _time.GetUtcNow();
        var batch = _options.SweepBatchSize;

        var markedOffline = 0;
        while (true)
        {
            var changed = await _store.MarkStaleOfflineAsync(now - _options.OfflineAfter, now, batch, cancellationToken).ConfigureAwait(false);
            markedOffline += changed.Count;
            if (changed.Count < batch)
            {
                break;
            }
        }

        var expired = 0;
        while (true)
        {
            var changed = await _store.ClearExpiredStatusesAsync(now, batch, cancellationToken).ConfigureAwait(false);
            expired += changed.Count;
            if (changed.Count < batch)
            {
                break;
            }
        }

        var elapsed = _time.GetElapsedTime(started);
        _metrics.MarkedOffline.Add(markedOffline);
        _metrics.StatusesExpired.Add(expired);
        _metrics.SweepDuration.Record(elapsed.TotalSeconds);
        Log.SweepCompleted(_logger, markedOffline, expired, elapsed.TotalMilliseconds);
        return new PresenceSweepResult(markedOffline, expired);
    }

    /// <summary>
    /// The effective view: stale reads as offline (remembering the status it hides) and an expired custom
    /// status reads as cleared. Returns <paramref name="record"/> itself when neither applies.
    /// </summary>
    internal UserPresence Effective(UserPresence record, DateTimeOffset now)
    {
        var stale = record.Status != PresenceStatus.Offline && record.LastSeenAt < now - _options.OfflineAfter;
        var expired = record.StatusExpiresAt is { } expiresAt && expiresAt <= now;
        if (!stale && !expired)
        {
            return record;
        }

        var effective = record;
        if (stale)
        {
            effective = effective with { Status = PresenceStatus.Offline, StatusBeforeOffline = record.Status };
        }

        if (expired)
        {
            effective = effective with { CustomMessage = null, StatusEmoji = null, StatusExpiresAt = null, SuppressNotifications = false };
        }

        return effective;
    }

    private static UserPresence Merge(UserPresence? current, string userId, DateTimeOffset now, bool restore, PresenceUpdate update)
    {
        var baseline = Touch(current, userId, now, restore);
        var status = update.Status.GetValueOrDefault(baseline.Status);
        return baseline with
        {
            Status = status,
            StatusBeforeOffline = update.Status.HasValue ? null : baseline.StatusBeforeOffline,
            CustomMessage = update.CustomMessage.GetValueOrDefault(baseline.CustomMessage),
            StatusEmoji = update.StatusEmoji.GetValueOrDefault(baseline.StatusEmoji),
            StatusExpiresAt = update.StatusExpiresAt.GetValueOrDefault(baseline.StatusExpiresAt)?.ToUniversalTime(),
            ActiveChannelId = update.ActiveChannelId.GetValueOrDefault(baseline.ActiveChannelId),
            SuppressNotifications = update.SuppressNotifications.GetValueOrDefault(baseline.SuppressNotifications),
        };
    }

    private static UserPresence Clear(UserPresence? current, string userId, DateTimeOffset now, bool restore) =>
        Touch(current, userId, now, restore) with
        {
            CustomMessage = null,
            StatusEmoji = null,
            StatusExpiresAt = null,
            SuppressNotifications = false,
        };

    /// <summary>
    /// The record a write starts from: the current one (or a new online one), with an expired custom status
    /// cleared, the status an automatic offline replaced restored (a write counts as a heartbeat), and
    /// last-seen and updated-at set to now.
    /// </summary>
    private static UserPresence Touch(UserPresence? current, string userId, DateTimeOffset now, bool restore)
    {
        if (current is null)
        {
            return new UserPresence
            {
                Id = Guid.CreateVersion7(now),
                UserId = userId,
                Status = PresenceStatus.Online,
                UpdatedAt = now,
                LastSeenAt = now,
            };
        }

        var touched = current with
        {
            UpdatedAt = now,
            LastSeenAt = current.LastSeenAt > now ? current.LastSeenAt : now,
        };

        if (current.StatusExpiresAt is { } expiresAt && expiresAt <= now)
        {
            touched = touched with { CustomMessage = null, StatusEmoji = null, StatusExpiresAt = null, SuppressNotifications = false };
        }

        if (restore && current.Status == PresenceStatus.Offline && current.StatusBeforeOffline is { } before)
        {
            touched = touched with { Status = before, StatusBeforeOffline = null };
        }

        return touched;
    }
}
