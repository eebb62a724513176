namespace Hazel.Presence.AspNetCore.Contracts;

/// <summary>
/// A presence record as the REST and Server-Sent Events endpoints return it. Every property is always present in
/// the JSON (null when empty); dates are ISO-8601 UTC with milliseconds; <see cref="Status"/> is a lowercase name.
/// </summary>
public sealed record UserPresenceResponse
{
    /// <summary>The record id; all zeros for a user who has no record yet.</summary>
    public required Guid Id { get; init; }

    /// <summary>The user.</summary>
    public required string UserId { get; init; }

    /// <summary><c>online</c>, <c>away</c>, <c>busy</c>, <c>dnd</c> or <c>offline</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The custom status message, or null.</summary>
    public string? CustomMessage { get; init; }

    /// <summary>The status emoji, or null.</summary>
    public string? StatusEmoji { get; init; }

    /// <summary>When the custom status clears itself, or null.</summary>
    public DateTimeOffset? StatusExpiresAt { get; init; }

    /// <summary>The channel the user is viewing, or null.</summary>
    public string? ActiveChannelId { get; init; }

    /// <summary>Whether notifications are suppressed.</summary>
    public bool SuppressNotifications { get; init; }

    /// <summary>When the record last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the user was last seen active.</summary>
    public DateTimeOffset LastSeenAt { get; init; }

    /// <summary>The transaction id of the record's last change (0 for a user without a record).</summary>
    public long TransactionId { get; init; }

    /// <summary>Maps a <see cref="UserPresence"/>.</summary>
    public static UserPresenceResponse From(UserPresence presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        return new UserPresenceResponse
        {
            Id = presence.Id,
            UserId = presence.UserId,
            Status = presence.Status.ToWireName(),
            CustomMessage = presence.CustomMessage,
            StatusEmoji = presence.StatusEmoji,
            StatusExpiresAt = presence.StatusExpiresAt,
            ActiveChannelId = presence.ActiveChannelId,
            SuppressNotifications = presence.SuppressNotifications,
            UpdatedAt = presence.UpdatedAt,
            LastSeenAt = presence.LastSeenAt,
            TransactionId = presence.TransactionId,
        };
    }
}

/// <summary>What <c>PATCH /me</c> and <c>DELETE /me/custom-status</c> return: <c>{ "data": ..., "transactionId": n }</c>.</summary>
/// <param name="Data">The record as committed.</param>
/// <param name="TransactionId">The transaction id of the change.</param>
public sealed record PresenceResultResponse(UserPresenceResponse Data, long TransactionId);

/// <summary>What <c>POST /me/heartbeat</c> returns: <c>{ "lastSeenAt": ... }</c>.</summary>
/// <param name="LastSeenAt">The user's last-seen time after the heartbeat.</param>
public sealed record HeartbeatResponse(DateTimeOffset LastSeenAt);
