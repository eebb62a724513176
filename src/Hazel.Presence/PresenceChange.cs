namespace Hazel.Presence;

/// <summary>Why a presence record changed.</summary>
public enum PresenceChangeKind
{
    /// <summary>A record was created (first update, clear or heartbeat of a user).</summary>
    Created = 0,

    /// <summary>The user updated their presence.</summary>
    Updated = 1,

    /// <summary>The user cleared their custom status.</summary>
    StatusCleared = 2,

    /// <summary>The custom status reached its expiry and was cleared automatically.</summary>
    StatusExpired = 3,

    /// <summary>The user missed heartbeats and was marked offline.</summary>
    MarkedOffline = 4,

    /// <summary>A heartbeat after an automatic offline restored the previous status.</summary>
    Restored = 5,
}

/// <summary>A committed change, as delivered by <see cref="IPresenceService.WatchAsync"/>.</summary>
/// <param name="Kind">Why the record changed.</param>
/// <param name="Presence">The record as committed.</param>
public sealed record PresenceChange(PresenceChangeKind Kind, UserPresence Presence)
{
    /// <summary>The transaction id of the change (same as <c>Presence.TransactionId</c>).</summary>
    public long TransactionId => Presence.TransactionId;

    /// <summary>The user whose record changed.</summary>
    public string UserId => Presence.UserId;
}
