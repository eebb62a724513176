namespace Hazel.Presence.Sqlite;

/// <summary>Options of the SQLite presence store, validated at start-up.</summary>
public sealed class SqlitePresenceOptions
{
    /// <summary>The SQLite connection string, e.g. <c>Data Source=presence.db</c>. The file is created when missing.</summary>
    /// <value>Set by <c>UseSqlite</c>. Must name a file: in-memory databases are not supported.</value>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>When a write counts as committed.</summary>
    /// <value>Default <see cref="SqliteDurability.Full"/>.</value>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    /// <summary>The most writes the writer commits in one transaction (group commit).</summary>
    /// <value>Default 1,000. Between 1 and 100,000.</value>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>
    /// How long a write or read waits for another connection or process holding a lock on the file before it
    /// fails with a busy error. The driver retries in whole seconds, so short timeouts round up to one second.
    /// </summary>
    /// <value>Default 5 seconds. Between 0 and 10 minutes.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many idle read connections the store keeps open for reuse.</summary>
    /// <value>Default 8. Between 1 and 256.</value>
    public int MaxPooledReadConnections { get; set; } = 8;
}

/// <summary>When the SQLite store reports a write as committed (the <c>synchronous</c> pragma, in WAL mode).</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>synchronous=FULL</c>: the write-ahead log is synced at every commit, so an acknowledged write survives
    /// a process crash and a power loss.
    /// </summary>
    Full = 0,

    /// <summary>
    /// <c>synchronous=NORMAL</c>: the log is synced only at checkpoints, so an acknowledged write survives a process
    /// crash but the last commits may be lost on power loss. Cheaper per commit.
    /// </summary>
    Normal = 1,
}
