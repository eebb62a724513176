using Microsoft.Data.Sqlite;

namespace Hazel.Presence.Sqlite;

/// <summary>
/// The writer's connection and prepared statements. Used only by the writer thread. Transactions are plain
/// <c>BEGIN IMMEDIATE</c>/<c>COMMIT</c> statements, so the reused commands need no transaction object.
/// </summary>
internal sealed class SqliteWriteConnection : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _readSequence;
    private readonly SqliteCommand _writeSequence;
    private readonly SqliteParameter _writeSequenceValue;
    private readonly SqliteCommand _select;
    private readonly SqliteParameter _selectUserId;
    private readonly SqliteCommand _touch;
    private readonly SqliteParameter _touchUserId;
    private readonly SqliteParameter _touchNow;
    private readonly SqliteParameter _touchRestore;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter[] _insertValues;
    private readonly SqliteCommand _update;
    private readonly SqliteParameter[] _updateValues;
    private readonly SqliteCommand _markStale;
    private readonly SqliteParameter _markStaleBase;
    private readonly SqliteParameter _markStaleThreshold;
    private readonly SqliteParameter _markStaleNow;
    private readonly SqliteParameter _markStaleLimit;
    private readonly SqliteCommand _clearExpired;
    private readonly SqliteParameter _clearExpiredBase;
    private readonly SqliteParameter _clearExpiredNow;
    private readonly SqliteParameter _clearExpiredLimit;

    public SqliteWriteConnection(string connectionString, SqliteDurability durability, int busyTimeoutMilliseconds)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        var synchronous = durability == SqliteDurability.Normal ? "NORMAL" : "FULL";
        SqliteSchema.Execute(_connection, $"PRAGMA busy_timeout = {busyTimeoutMilliseconds}; PRAGMA synchronous = {synchronous};");

        _begin = Command("BEGIN IMMEDIATE;");
        _commit = Command("COMMIT;");
        _rollback = Command("ROLLBACK;");
        _readSequence = Command("SELECT last_transaction_id FROM presence_sequence WHERE id = 0;");
        _writeSequence = Command("UPDATE presence_sequence SET last_transaction_id = $value WHERE id = 0;");
        _writeSequenceValue = SqliteRecords.Parameter(_writeSequence, "$value");

        _select = Command($"SELECT {SqliteRecords.Columns()} FROM presence WHERE user_id = $user_id;");
        _selectUserId = SqliteRecords.Parameter(_select, "$user_id");

        // The heartbeat fast path: only last-seen moves, unless the row is one this heartbeat must restore.
        _touch = Command(
            """
            UPDATE presence SET last_seen_at = max(last_seen_at, $now)
            WHERE user_id = $user_id AND ($restore = 0 OR status <> 'offline' OR status_before_offline IS NULL)
            RETURNING last_seen_at;
            """);
        _touchUserId = SqliteRecords.Parameter(_touch, "$user_id");
        _touchNow = SqliteRecords.Parameter(_touch, "$now");
        _touchRestore = SqliteRecords.Parameter(_touch, "$restore");

        // A full-row write: the writer has just read the row, so it knows whether to insert or update.
        _insert = Command(
            """
            INSERT INTO presence (user_id, id, status, custom_message, status_emoji, status_expires_at, active_channel_id,
                suppress_notifications, updated_at, last_seen_at, status_before_offline, transaction_id)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11);
            """);
        _insertValues = Parameters(_insert);
        _update = Command(
            """
            UPDATE presence SET id = $p1, status = $p2, custom_message = $p3, status_emoji = $p4, status_expires_at = $p5,
                active_channel_id = $p6, suppress_notifications = $p7, updated_at = $p8, last_seen_at = $p9,
                status_before_offline = $p10, transaction_id = $p11
            WHERE user_id = $p0;
            """);
        _updateValues = Parameters(_update);

        // Sweeps: one conditional bulk UPDATE per bounded batch. The inner query picks at most $limit due rows
        // through the partial index; row_number() numbers only those, giving each its transaction id.
        var returning = SqliteRecords.Columns("presence");
        _markStale = Command(
            $"""
            UPDATE presence
            SET status = 'offline', status_before_offline = presence.status, updated_at = $now, transaction_id = due.txid
            FROM (
                SELECT user_id, $base + row_number() OVER (ORDER BY last_seen_at, user_id) AS txid
                FROM (SELECT user_id, last_seen_at FROM presence
                      WHERE status <> 'offline' AND last_seen_at < $threshold
                      ORDER BY last_seen_at LIMIT $limit)
            ) AS due
            WHERE presence.user_id = due.user_id
            RETURNING {returning};
            """);
        _markStaleBase = SqliteRecords.Parameter(_markStale, "$base");
        _markStaleThreshold = SqliteRecords.Parameter(_markStale, "$threshold");
        _markStaleNow = SqliteRecords.Parameter(_markStale, "$now");
        _markStaleLimit = SqliteRecords.Parameter(_markStale, "$limit");

        _clearExpired = Command(
            $"""
            UPDATE presence
            SET custom_message = NULL, status_emoji = NULL, status_expires_at = NULL, suppress_notifications = 0,
                updated_at = $now, transaction_id = due.txid
            FROM (
                SELECT user_id, $base + row_number() OVER (ORDER BY status_expires_at, user_id) AS txid
                FROM (SELECT user_id, status_expires_at FROM presence
                      WHERE status_expires_at IS NOT NULL AND status_expires_at <= $now
                      ORDER BY status_expires_at LIMIT $limit)
            ) AS due
            WHERE presence.user_id = due.user_id
            RETURNING {returning};
            """);
        _clearExpiredBase = SqliteRecords.Parameter(_clearExpired, "$base");
        _clearExpiredNow = SqliteRecords.Parameter(_clearExpired, "$now");
        _clearExpiredLimit = SqliteRecords.Parameter(_clearExpired, "$limit");
    }

    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>Rolls back if a transaction is open; never throws (the connection is reopened when in doubt).</summary>
    public bool TryRollback()
    {
        try
        {
            _rollback.ExecuteNonQuery();
            return true;
        }
        catch (SqliteException)
        {
            // "no transaction is active": SQLite already rolled back (e.g. after an I/O error).
            return _connection.State == System.Data.ConnectionState.Open;
        }
    }

    public long ReadSequence() => (long)_readSequence.ExecuteScalar()!;

    public void WriteSequence(long value)
    {
        _writeSequenceValue.Value = value;
        _writeSequence.ExecuteNonQuery();
    }

    public UserPresence? Select(string userId)
    {
        _selectUserId.Value = userId;
        using var reader = _select.ExecuteReader();
        return reader.Read() ? SqliteRecords.Read(reader) : null;
    }

    /// <summary>Moves last-seen forward unless the row is missing or must be restored; returns the new last-seen, or null.</summary>
    public long? TryTouch(string userId, long nowTicks, bool restore)
    {
        _touchUserId.Value = userId;
        _touchNow.Value = nowTicks;
        _touchRestore.Value = restore ? 1 : 0;
        using var reader = _touch.ExecuteReader();
        return reader.Read() ? reader.GetInt64(0) : null;
    }

    /// <summary>Writes the whole record: an insert when <paramref name="exists"/> is false, else an update.</summary>
    public void Write(UserPresence record, bool exists)
    {
        var p = exists ? _updateValues : _insertValues;
        p[0].Value = record.UserId;
        p[1].Value = record.Id;
        p[2].Value = record.Status.ToWireName();
        p[3].Value = SqliteRecords.Nullable(record.CustomMessage);
        p[4].Value = SqliteRecords.Nullable(record.StatusEmoji);
        p[5].Value = SqliteRecords.Nullable(record.StatusExpiresAt);
        p[6].Value = SqliteRecords.Nullable(record.ActiveChannelId);
        p[7].Value = record.SuppressNotifications ? 1 : 0;
        p[8].Value = record.UpdatedAt.UtcTicks;
        p[9].Value = record.LastSeenAt.UtcTicks;
        p[10].Value = SqliteRecords.Nullable(record.StatusBeforeOffline);
        p[11].Value = record.TransactionId;
        (exists ? _update : _insert).ExecuteNonQuery();
    }

    /// <summary>Marks due rows offline, numbering them from <paramref name="lastTransactionId"/> + 1; returns them in transaction-id order.</summary>
    public List<UserPresence> MarkStaleOffline(long lastTransactionId, long thresholdTicks, long nowTicks, int limit)
    {
        _markStaleBase.Value = lastTransactionId;
        _markStaleThreshold.Value = thresholdTicks;
        _markStaleNow.Value = nowTicks;
        _markStaleLimit.Value = limit;
        return ReadChanged(_markStale);
    }

    /// <summary>Clears expired custom statuses, numbering them from <paramref name="lastTransactionId"/> + 1; returns them in transaction-id order.</summary>
    public List<UserPresence> ClearExpired(long lastTransactionId, long nowTicks, int limit)
    {
        _clearExpiredBase.Value = lastTransactionId;
        _clearExpiredNow.Value = nowTicks;
        _clearExpiredLimit.Value = limit;
        return ReadChanged(_clearExpired);
    }

    public void Dispose()
    {
        foreach (var command in new[] { _begin, _commit, _rollback, _readSequence, _writeSequence, _select, _touch, _insert, _update, _markStale, _clearExpired })
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private static List<UserPresence> ReadChanged(SqliteCommand command)
    {
        var changed = new List<UserPresence>();
        SqliteRecords.ReadAll(command, changed);

        // RETURNING yields rows in no particular order; publish order is transaction-id order.
        changed.Sort(static (a, b) => a.TransactionId.CompareTo(b.TransactionId));
        return changed;
    }

    private static SqliteParameter[] Parameters(SqliteCommand command)
    {
        var parameters = new SqliteParameter[12];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = SqliteRecords.Parameter(command, "$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return parameters;
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
