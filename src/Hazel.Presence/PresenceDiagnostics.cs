namespace Hazel.Presence;

/// <summary>Names for observing the presence service.</summary>
public static class PresenceDiagnostics
{
    /// <summary>
    /// The meter name. Instruments: <c>hazel.presence.heartbeats</c>, <c>hazel.presence.updates</c>,
    /// <c>hazel.presence.marked_offline</c>, <c>hazel.presence.statuses_expired</c> (counters) and
    /// <c>hazel.presence.sweep.duration</c> (histogram, seconds).
    /// </summary>
    public const string MeterName = "Hazel.Presence";
}
