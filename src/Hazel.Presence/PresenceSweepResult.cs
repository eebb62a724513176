namespace Hazel.Presence;

/// <summary>What one sweep did.</summary>
/// <param name="MarkedOffline">Users marked offline because their last heartbeat is older than the timeout.</param>
/// <param name="StatusesExpired">Custom statuses cleared because they reached their expiry.</param>
public readonly record struct PresenceSweepResult(int MarkedOffline, int StatusesExpired);
