using Microsoft.Data.Sqlite;

namespace Hazel.Presence.Sqlite;

/// <summary>The schema, its migrations (indexed by <c>PRAGMA user_version</c>) and the column list every query reads.</summary>
internal static class SqliteSchema
{
    /// <summary>Migration <c>i</c> takes the schema from version <c>i</c> to <c>i + 1</c>. Append only.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE presence (
            user_id TEXT NOT NULL PRIMARY KEY,
            id BLOB NOT NULL,
            status TEXT NOT NULL,
            custom_message TEXT NULL,
            status_emoji TEXT NULL,
            status_expires_at INTEGER NULL,
            active_channel_id TEXT NULL,
            suppress_notifications INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            status_before_offline TEXT NULL,
            transaction_id INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Partial indexes: the stale sweep only ever looks at rows that are not offline, the expiry sweep only at
        -- rows with an expiry, the channel query only at rows with a channel; most rows stay out of each.
        CREATE INDEX presence_stale ON presence (last_seen_at) WHERE status <> 'offline';
        CREATE INDEX presence_expiry ON presence (status_expires_at) WHERE status_expires_at IS NOT NULL;
        CREATE INDEX presence_channel ON presence (active_channel_id) WHERE active_channel_id IS NOT NULL;
        CREATE UNIQUE INDEX presence_transaction ON presence (transaction_id);

        -- The store-wide transaction id sequence; allocated inside each write transaction, so it never repeats
        -- even with several processes on one file.
        CREATE TABLE presence_sequence (
            id INTEGER NOT NULL PRIMARY KEY CHECK (id = 0),
            last_transaction_id INTEGER NOT NULL
        );
        INSERT INTO presence_sequence (id, last_transaction_id) VALUES (0, 0);
        """,
    ];

    /// <summary>The schema version this library writes.</summary>
    public static long LatestVersion => Migrations.Length;

    /// <summary>The columns of a record, in the order <see cref="SqlitePresenceStore"/> reads them.</summary>
    public const string Columns =
        "user_id, id, status, custom_message, status_emoji, status_expires_at, active_channel_id, "
        + "suppress_notifications, updated_at, last_seen_at, status_before_offline, transaction_id";

    /// <summary>
    /// Brings the database to <see cref="LatestVersion"/>. Runs under <c>BEGIN IMMEDIATE</c> and re-reads the
    /// version inside it, so two processes opening a new file at once migrate it once.
    /// </summary>
    /// <returns>The version found before migrating.</returns>
    public static long Migrate(SqliteConnection connection)
    {
        // WAL is a property of the file; switching needs no transaction and is a no-op once set.
        Execute(connection, "PRAGMA journal_mode = WAL;");
        if (ReadVersion(connection) == LatestVersion)
        {
            return LatestVersion;
        }

        Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            var version = ReadVersion(connection);
            if (version > LatestVersion)
            {
                throw new InvalidOperationException(
                    $"The presence database has schema version {version}, newer than this version of Hazel.Presence.Sqlite supports ({LatestVersion}). Upgrade the package.");
            }

            for (var v = version; v < LatestVersion; v++)
            {
                Execute(connection, Migrations[v]);
            }

            Execute(connection, $"PRAGMA user_version = {LatestVersion};");
            Execute(connection, "COMMIT;");
            return version;
        }
        catch
        {
            Execute(connection, "ROLLBACK;");
            throw;
        }
    }

    public static long ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
