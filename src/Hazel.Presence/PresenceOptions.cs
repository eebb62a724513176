namespace Hazel.Presence;

/// <summary>Options of the presence service, validated at start-up.</summary>
public sealed class PresenceOptions
{
    /// <summary>How long without a heartbeat before a user reads as offline and is swept offline.</summary>
    /// <value>Default 2 minutes (clients beat every 30–60 s). Between 1 second and 1 day.</value>
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the hosted sweeper runs.</summary>
    /// <value>Default 15 seconds. At least 10 ms and shorter than <see cref="OfflineAfter"/>.</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether a heartbeat after an automatic offline restores the status the user had.</summary>
    /// <value>Default true.</value>
    public bool RestoreStatusOnHeartbeat { get; set; } = true;

    /// <summary>Whether to run the hosted sweeper; set false to call <see cref="IPresenceService.SweepOnceAsync"/> yourself.</summary>
    /// <value>Default true.</value>
    public bool RunSweeper { get; set; } = true;

    /// <summary>How many records one sweep step transitions per store call.</summary>
    /// <value>Default 1,000. Between 1 and 100,000.</value>
    public int SweepBatchSize { get; set; } = 1000;

    /// <summary>The longest custom message, in UTF-16 code units.</summary>
    /// <value>Default 255. Between 1 and 4,096.</value>
    public int MaxCustomMessageLength { get; set; } = 255;

    /// <summary>The longest status emoji, in UTF-16 code units (it must also be one grapheme cluster).</summary>
    /// <value>Default 64. Between 1 and 256.</value>
    public int MaxEmojiLength { get; set; } = 64;

    /// <summary>The longest user id or channel id.</summary>
    /// <value>Default 128. Between 1 and 1,024.</value>
    public int MaxIdLength { get; set; } = 128;

    /// <summary>How many changes a watcher may fall behind before its stream ends with <see cref="PresenceWatchOverflowException"/>.</summary>
    /// <value>Default 4,096. Between 16 and 1,048,576.</value>
    public int WatchBufferSize { get; set; } = 4096;
}
