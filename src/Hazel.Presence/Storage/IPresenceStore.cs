namespace Hazel.Presence.Storage;

/// <summary>
/// Computes a user's new record from the current one (null when the user has none). Called by the store inside
/// its atomic read-merge-write, possibly more than once if the store retries; must be pure and fast.
/// The store assigns <see cref="UserPresence.TransactionId"/>.
/// </summary>
public delegate UserPresence PresenceMutation(UserPresence? current);

/// <summary>
/// The storage SPI. Stores keep records and perform atomic per-user writes and conditional bulk transitions;
/// they hold no business rules and never read the clock (times are arguments).
/// </summary>
/// <remarks>
/// Every committed change gets the next value of a store-wide, never-repeating transaction id sequence and is
/// passed to the <see cref="IPresenceChangeSink"/> the store was created with, after commit and in
/// transaction-id order. A plain heartbeat (only last-seen moves) is not a change.
/// </remarks>
public interface IPresenceStore
{
    /// <summary>
    /// Atomically reads the user's record, applies <paramref name="mutation"/> and stores the result with a new
    /// transaction id. The change is published as <see cref="PresenceChangeKind.Created"/> when the user had no
    /// record, else as <paramref name="kind"/>.
    /// </summary>
    /// <returns>The committed record.</returns>
    ValueTask<UserPresence> UpsertAsync(string userId, PresenceChangeKind kind, PresenceMutation mutation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves last-seen to <c>max(LastSeenAt, now)</c>. Creates an online record (a change) when none exists.
    /// When <paramref name="restoreStatus"/> is true and the record is offline with a
    /// <see cref="UserPresence.StatusBeforeOffline"/>, restores that status (a change,
    /// <see cref="PresenceChangeKind.Restored"/>, <see cref="UserPresence.UpdatedAt"/> = now).
    /// </summary>
    ValueTask<PresenceHeartbeatResult> HeartbeatAsync(string userId, DateTimeOffset now, bool restoreStatus, CancellationToken cancellationToken = default);

    /// <summary>The stored record, or null.</summary>
    ValueTask<UserPresence?> GetAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>The stored records of those of <paramref name="userIds"/> that have one, in any order.</summary>
    ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default);

    /// <summary>Stored records whose active channel is <paramref name="channelId"/> and whose status is not offline.</summary>
    ValueTask<IReadOnlyList<UserPresence>> GetByChannelAsync(string channelId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records with a transaction id greater than <paramref name="afterTransactionId"/> (restricted to
    /// <paramref name="userIds"/> when not null), ascending by transaction id, at most <paramref name="limit"/>.
    /// </summary>
    ValueTask<IReadOnlyList<UserPresence>> GetChangedSinceAsync(long afterTransactionId, IReadOnlyCollection<string>? userIds, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Conditionally marks offline up to <paramref name="limit"/> records that are not offline and whose last-seen is
    /// before <paramref name="lastSeenBefore"/> at commit time: status becomes offline,
    /// <see cref="UserPresence.StatusBeforeOffline"/> the previous status, <see cref="UserPresence.UpdatedAt"/>
    /// <paramref name="now"/>. Published as <see cref="PresenceChangeKind.MarkedOffline"/>.
    /// </summary>
    /// <returns>The records changed.</returns>
    ValueTask<IReadOnlyList<UserPresence>> MarkStaleOfflineAsync(DateTimeOffset lastSeenBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Conditionally clears up to <paramref name="limit"/> custom statuses whose expiry is at or before
    /// <paramref name="now"/> at commit time: message, emoji and expiry become null, suppress-notifications false,
    /// <see cref="UserPresence.UpdatedAt"/> <paramref name="now"/>; last-seen is not touched.
    /// Published as <see cref="PresenceChangeKind.StatusExpired"/>.
    /// </summary>
    /// <returns>The records changed.</returns>
    ValueTask<IReadOnlyList<UserPresence>> ClearExpiredStatusesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of <see cref="IPresenceStore.HeartbeatAsync"/>.</summary>
/// <param name="LastSeenAt">The record's last-seen time after the heartbeat.</param>
/// <param name="Change">The committed change when the heartbeat created the record or restored its status; else null.</param>
public readonly record struct PresenceHeartbeatResult(DateTimeOffset LastSeenAt, UserPresence? Change);

/// <summary>
/// Receives every change a store commits, after commit, in transaction-id order. Implemented by the core
/// (the change feed); a store gets it through its constructor.
/// </summary>
public interface IPresenceChangeSink
{
    /// <summary>Called once per committed change; must be fast and must not block.</summary>
    void OnCommitted(PresenceChange change);
}
