namespace Hazel.Presence.Internal;

/// <summary>Marks that AddHazelPresence ran, so one-time registrations happen once.</summary>
internal sealed class PresenceMarkerService;
