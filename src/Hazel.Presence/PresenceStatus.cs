namespace Hazel.Presence;

/// <summary>
/// A user's availability. On every wire format the names are lowercase:
/// <c>online</c>, <c>away</c>, <c>busy</c>, <c>dnd</c>, <c>offline</c>.
/// </summary>
public enum PresenceStatus
{
    /// <summary>The user is active and available.</summary>
    Online = 0,

    /// <summary>The user is inactive or temporarily unavailable.</summary>
    Away = 1,

    /// <summary>The user is active but should not be disturbed.</summary>
    Busy = 2,

    /// <summary>Do not disturb: notifications are suppressed.</summary>
    Dnd = 3,

    /// <summary>The user is not available (chosen, or detected by the sweeper).</summary>
    Offline = 4,
}

/// <summary>Converts <see cref="PresenceStatus"/> to and from its lowercase wire name.</summary>
public static class PresenceStatusNames
{
    /// <summary>The wire name of <paramref name="status"/>: <c>online</c>, <c>away</c>, <c>busy</c>, <c>dnd</c> or <c>offline</c>.</summary>
    public static string ToWireName(this PresenceStatus status) => status switch
    {
        PresenceStatus.Online => "online",
        PresenceStatus.Away => "away",
        PresenceStatus.Busy => "busy",
        PresenceStatus.Dnd => "dnd",
        PresenceStatus.Offline => "offline",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown presence status."),
    };

    /// <summary>Parses a wire name (exact, lowercase). Returns false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out PresenceStatus status)
    {
        switch (name)
        {
            case "online": status = PresenceStatus.Online; return true;
            case "away": status = PresenceStatus.Away; return true;
            case "busy": status = PresenceStatus.Busy; return true;
            case "dnd": status = PresenceStatus.Dnd; return true;
            case "offline": status = PresenceStatus.Offline; return true;
            default: status = default; return false;
        }
    }
}
