namespace Hazel.Presence;

/// <summary>What update and clear-status return: the committed record and its transaction id.</summary>
/// <param name="Data">The record as committed (effective view).</param>
/// <param name="TransactionId">The transaction id of the change, for optimistic client updates.</param>
public sealed record PresenceResult(UserPresence Data, long TransactionId);
