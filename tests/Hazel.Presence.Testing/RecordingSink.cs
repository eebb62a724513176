using Hazel.Presence.Storage;

namespace Hazel.Presence.Testing;

/// <summary>A change sink that records every change, in the order the store published them.</summary>
public sealed class RecordingSink : IPresenceChangeSink
{
    private readonly List<PresenceChange> _changes = [];
    private readonly Lock _lock = new();

    /// <summary>A snapshot of the changes published so far.</summary>
    public IReadOnlyList<PresenceChange> Changes
    {
        get
        {
            lock (_lock)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>The changes published so far for <paramref name="userId"/>.</summary>
    public IReadOnlyList<PresenceChange> For(string userId) =>
        [.. Changes.Where(c => c.UserId == userId)];

    /// <inheritdoc />
    public void OnCommitted(PresenceChange change)
    {
        lock (_lock)
        {
            _changes.Add(change);
        }
    }
}
