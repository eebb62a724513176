namespace Hazel.Presence;

/// <summary>
/// Bad input: carries one or more errors per field (field names as on the wire, e.g. <c>customMessage</c>).
/// Nothing was changed.
/// </summary>
public sealed class PresenceValidationException : Exception
{
    /// <summary>Creates the exception from field errors.</summary>
    public PresenceValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for one field.</summary>
    public PresenceValidationException(string field, string error)
        : this(new Dictionary<string, string[]> { [field] = [error] })
    {
    }

    /// <summary>Field name to error messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string BuildMessage(IReadOnlyDictionary<string, string[]> errors) =>
        "Invalid presence input: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}

/// <summary>
/// Ends a <see cref="IPresenceService.WatchAsync"/> stream whose reader fell too far behind the writers.
/// Subscribe again with <see cref="LastTransactionId"/> as <c>afterTransactionId</c> to resume without gaps.
/// </summary>
public sealed class PresenceWatchOverflowException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PresenceWatchOverflowException(long lastTransactionId)
        : base($"The presence watcher fell behind and was dropped; resubscribe with afterTransactionId = {lastTransactionId}.")
    {
        LastTransactionId = lastTransactionId;
    }

    /// <summary>The transaction id of the last change delivered to this watcher (0 when none).</summary>
    public long LastTransactionId { get; }
}
