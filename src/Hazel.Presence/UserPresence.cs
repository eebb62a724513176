namespace Hazel.Presence;

/// <summary>
/// One user's presence record. Immutable; every committed change produces a new instance with a new
/// <see cref="TransactionId"/>.
/// </summary>
public sealed record UserPresence
{
    /// <summary>The record's own id, stable for the life of the record.</summary>
    public required Guid Id { get; init; }

    /// <summary>The user this record belongs to.</summary>
    public required string UserId { get; init; }

    /// <summary>The presence status.</summary>
    public PresenceStatus Status { get; init; } = PresenceStatus.Online;

    /// <summary>Custom status message, e.g. "In a meeting"; null when none.</summary>
    public string? CustomMessage { get; init; }

    /// <summary>Emoji shown with the custom status (one grapheme cluster); null when none.</summary>
    public string? StatusEmoji { get; init; }

    /// <summary>When the custom status clears itself; null for no expiry.</summary>
    public DateTimeOffset? StatusExpiresAt { get; init; }

    /// <summary>The channel the user is viewing; null when none.</summary>
    public string? ActiveChannelId { get; init; }

    /// <summary>Whether notifications are suppressed while this status is active.</summary>
    public bool SuppressNotifications { get; init; }

    /// <summary>When the record last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the user was last seen active (heartbeat, update or clear).</summary>
    public required DateTimeOffset LastSeenAt { get; init; }

    /// <summary>
    /// The status the user had when the sweeper marked them offline, restored by their next heartbeat;
    /// null unless the user is offline because of missed heartbeats.
    /// </summary>
    public PresenceStatus? StatusBeforeOffline { get; init; }

    /// <summary>The store-wide sequence number of the last change to this record; 0 for a user with no record.</summary>
    public long TransactionId { get; init; }

    /// <summary>
    /// The record reported for a user that has none: offline, no custom status, last seen never
    /// (<see cref="DateTimeOffset.UnixEpoch"/>), <see cref="Id"/> empty and <see cref="TransactionId"/> 0.
    /// </summary>
    public static UserPresence Unknown(string userId) => new()
    {
        Id = Guid.Empty,
        UserId = userId,
        Status = PresenceStatus.Offline,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        LastSeenAt = DateTimeOffset.UnixEpoch,
    };
}
