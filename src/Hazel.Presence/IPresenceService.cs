namespace Hazel.Presence;

/// <summary>
/// The presence service: the User Presence Status API (update, heartbeat, clear status), reads with the
/// effective view, notification decisions, offline detection and a change feed.
/// </summary>
/// <remarks>
/// Reads apply the effective view: a record whose last heartbeat is older than
/// <see cref="PresenceOptions.OfflineAfter"/> reads as offline, and a custom status past its expiry reads as
/// cleared, even before the sweeper has run. Invalid input throws <see cref="PresenceValidationException"/>
/// and changes nothing.
/// </remarks>
public interface IPresenceService
{
    /// <summary>
    /// Merges <paramref name="update"/> into the user's record (creating it, online unless a status is given),
    /// sets <see cref="UserPresence.LastSeenAt"/> and <see cref="UserPresence.UpdatedAt"/> to now, atomically.
    /// </summary>
    ValueTask<PresenceResult> UpdateAsync(string userId, PresenceUpdate update, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the user is active: moves <see cref="UserPresence.LastSeenAt"/> forward to now (never back),
    /// creating an online record when none exists, and restoring the status an automatic offline replaced.
    /// </summary>
    /// <returns>The user's last-seen time after the heartbeat.</returns>
    ValueTask<DateTimeOffset> HeartbeatAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Clears the custom status (message, emoji, expiry) and resets suppress-notifications; keeps the status and
    /// the active channel; sets last-seen to now.
    /// </summary>
    ValueTask<PresenceResult> ClearStatusAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>The user's effective presence; a user without a record reads as <see cref="UserPresence.Unknown"/>.</summary>
    ValueTask<UserPresence> GetAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>The effective presence of each user, in the order given (unknown users read as offline).</summary>
    ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken = default);

    /// <summary>Users viewing <paramref name="channelId"/> who are effectively not offline.</summary>
    ValueTask<IReadOnlyList<UserPresence>> GetActiveInChannelAsync(string channelId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether a notification should reach the user now: false while the user is dnd, suppresses notifications
    /// (and that status has not expired), or is actively viewing <paramref name="channelId"/>.
    /// </summary>
    ValueTask<bool> ShouldNotifyAsync(string userId, string? channelId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Committed changes, in transaction-id order, for the given users (all users when null).
    /// With <paramref name="afterTransactionId"/>, first yields the current record of every watched user changed
    /// since then. Ends with <see cref="PresenceWatchOverflowException"/> if the reader falls too far behind.
    /// </summary>
    IAsyncEnumerable<PresenceChange> WatchAsync(
        IReadOnlyCollection<string>? userIds = null,
        long? afterTransactionId = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// One sweep: marks users offline whose last heartbeat is older than <see cref="PresenceOptions.OfflineAfter"/>
    /// and clears expired custom statuses, each as a conditional write. The hosted sweeper calls this every
    /// <see cref="PresenceOptions.SweepInterval"/>; hosts with <see cref="PresenceOptions.RunSweeper"/> false call it
    /// from their own scheduler.
    /// </summary>
    ValueTask<PresenceSweepResult> SweepOnceAsync(CancellationToken cancellationToken = default);
}
