using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Hazel.Presence.Sqlite;

/// <summary>
/// One pooled read connection with its prepared statements. Used by one caller at a time. In WAL mode a read
/// sees the last committed state and never waits for the writer.
/// </summary>
internal sealed class SqliteReadConnection : IDisposable
{
    /// <summary>The most ids bound into one statement.</summary>
    public const int MaxIdsPerStatement = 1000;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _get;
    private readonly SqliteParameter _getUserId;
    private readonly SqliteCommand _getMany;
    private readonly SqliteParameter _getManyIds;
    private readonly SqliteCommand _byChannel;
    private readonly SqliteParameter _byChannelId;
    private readonly SqliteCommand _changed;
    private readonly SqliteParameter _changedAfter;
    private readonly SqliteParameter _changedLimit;
    private readonly SqliteCommand _changedFor;
    private readonly SqliteParameter _changedForAfter;
    private readonly SqliteParameter _changedForLimit;
    private readonly SqliteParameter _changedForIds;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;

    public SqliteReadConnection(string connectionString, int busyTimeoutMilliseconds)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        SqliteSchema.Execute(_connection, $"PRAGMA busy_timeout = {busyTimeoutMilliseconds}; PRAGMA query_only = 1;");

        var columns = SqliteRecords.Columns();
        _get = Command($"SELECT {columns} FROM presence WHERE user_id = $user_id;");
        _getUserId = SqliteRecords.Parameter(_get, "$user_id");

        _getMany = Command($"SELECT {columns} FROM presence WHERE user_id IN (SELECT value FROM json_each($ids));");
        _getManyIds = SqliteRecords.Parameter(_getMany, "$ids");

        // "= $channel" implies "IS NOT NULL", so the partial channel index serves this query.
        _byChannel = Command($"SELECT {columns} FROM presence WHERE active_channel_id = $channel AND status <> 'offline';");
        _byChannelId = SqliteRecords.Parameter(_byChannel, "$channel");

        _changed = Command($"SELECT {columns} FROM presence WHERE transaction_id > $after ORDER BY transaction_id LIMIT $limit;");
        _changedAfter = SqliteRecords.Parameter(_changed, "$after");
        _changedLimit = SqliteRecords.Parameter(_changed, "$limit");

        _changedFor = Command(
            $"SELECT {columns} FROM presence WHERE transaction_id > $after AND user_id IN (SELECT value FROM json_each($ids)) ORDER BY transaction_id LIMIT $limit;");
        _changedForAfter = SqliteRecords.Parameter(_changedFor, "$after");
        _changedForLimit = SqliteRecords.Parameter(_changedFor, "$limit");
        _changedForIds = SqliteRecords.Parameter(_changedFor, "$ids");

        _begin = Command("BEGIN;");
        _commit = Command("COMMIT;");
    }

    public UserPresence? Get(string userId)
    {
        _getUserId.Value = userId;
        using var reader = _get.ExecuteReader();
        return reader.Read() ? SqliteRecords.Read(reader) : null;
    }

    public List<UserPresence> GetMany(IReadOnlyCollection<string> userIds)
    {
        var result = new List<UserPresence>(userIds.Count);
        foreach (var json in ToJsonChunks(userIds))
        {
            _getManyIds.Value = json;
            SqliteRecords.ReadAll(_getMany, result);
        }

        return result;
    }

    public List<UserPresence> GetByChannel(string channelId)
    {
        _byChannelId.Value = channelId;
        var result = new List<UserPresence>();
        SqliteRecords.ReadAll(_byChannel, result);
        return result;
    }

    public List<UserPresence> GetChangedSince(long afterTransactionId, IReadOnlyCollection<string>? userIds, int limit)
    {
        var result = new List<UserPresence>();
        if (userIds is null)
        {
            _changedAfter.Value = afterTransactionId;
            _changedLimit.Value = limit;
            SqliteRecords.ReadAll(_changed, result);
            return result;
        }

        // More ids than one statement takes: read every statement in one transaction, so they all see one
        // snapshot. A resuming watch relies on it; without it a later change could be read while an earlier one,
        // in an id chunk already read, is missed. (On failure the caller disposes this connection, ending it.)
        var severalStatements = userIds.Count > MaxIdsPerStatement;
        if (severalStatements)
        {
            _begin.ExecuteNonQuery();
        }

        var chunks = 0;
        foreach (var json in ToJsonChunks(userIds))
        {
            _changedForAfter.Value = afterTransactionId;
            _changedForLimit.Value = limit;
            _changedForIds.Value = json;
            SqliteRecords.ReadAll(_changedFor, result);
            chunks++;
        }

        if (severalStatements)
        {
            _commit.ExecuteNonQuery();
        }

        if (chunks > 1)
        {
            // Each chunk is ordered and limited on its own; merge them.
            result.Sort(static (a, b) => a.TransactionId.CompareTo(b.TransactionId));
            if (result.Count > limit)
            {
                result.RemoveRange(limit, result.Count - limit);
            }
        }

        return result;
    }

    public void Dispose()
    {
        _get.Dispose();
        _getMany.Dispose();
        _byChannel.Dispose();
        _changed.Dispose();
        _changedFor.Dispose();
        _begin.Dispose();
        _commit.Dispose();
        _connection.Dispose();
    }

    /// <summary>JSON arrays of at most <see cref="MaxIdsPerStatement"/> distinct ids, for <c>json_each</c>.</summary>
    private static IEnumerable<string> ToJsonChunks(IReadOnlyCollection<string> userIds)
    {
        var seen = userIds is ISet<string> or IReadOnlySet<string> ? null : new HashSet<string>(StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer);
        var count = 0;
        foreach (var userId in userIds)
        {
            ArgumentNullException.ThrowIfNull(userId, nameof(userIds));
            if (seen is not null && !seen.Add(userId))
            {
                continue;
            }

            if (count == 0)
            {
                json.WriteStartArray();
            }

            json.WriteStringValue(userId);
            if (++count == MaxIdsPerStatement)
            {
                yield return Finish(json, buffer);
                count = 0;
            }
        }

        if (count > 0)
        {
            yield return Finish(json, buffer);
        }

        static string Finish(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer)
        {
            json.WriteEndArray();
            json.Flush();
            var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
            json.Reset();
            return text;
        }
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
