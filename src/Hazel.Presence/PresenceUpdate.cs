namespace Hazel.Presence;

/// <summary>
/// A merge patch for <see cref="IPresenceService.UpdateAsync"/>. A field left out keeps the stored value;
/// a field set to null clears it; a field set to a value replaces it.
/// </summary>
/// <example>
/// <code>
/// // Set busy with a message, clear the emoji, keep everything else.
/// new PresenceUpdate { Status = PresenceStatus.Busy, CustomMessage = "In a meeting", StatusEmoji = null }
/// </code>
/// </example>
public sealed record PresenceUpdate
{
    /// <summary>The new status; not given keeps the current one (a new record starts online).</summary>
    public Optional<PresenceStatus> Status { get; init; }

    /// <summary>The custom message; null clears it.</summary>
    public Optional<string?> CustomMessage { get; init; }

    /// <summary>The status emoji (one grapheme cluster); null clears it.</summary>
    public Optional<string?> StatusEmoji { get; init; }

    /// <summary>When the custom status expires (must be in the future); null for no expiry.</summary>
    public Optional<DateTimeOffset?> StatusExpiresAt { get; init; }

    /// <summary>The channel the user is viewing; null clears it.</summary>
    public Optional<string?> ActiveChannelId { get; init; }

    /// <summary>Whether to suppress notifications while this status is active.</summary>
    public Optional<bool> SuppressNotifications { get; init; }
}
