using Microsoft.Data.Sqlite;

namespace Hazel.Presence.Sqlite;

/// <summary>Mapping between <see cref="UserPresence"/> and rows: times as UTC ticks, statuses as their wire names.</summary>
internal static class SqliteRecords
{
    private static readonly string[] ColumnNames =
    [
        "user_id", "id", "status", "custom_message", "status_emoji", "status_expires_at", "active_channel_id",
        "suppress_notifications", "updated_at", "last_seen_at", "status_before_offline", "transaction_id",
    ];

    /// <summary>The columns of a record in the order <see cref="Read"/> expects, optionally qualified.</summary>
    public static string Columns(string? table = null) =>
        string.Join(", ", table is null ? ColumnNames : ColumnNames.Select(c => table + "." + c));

    public static UserPresence Read(SqliteDataReader reader) => new()
    {
        UserId = reader.GetString(0),
        Id = reader.GetGuid(1),
        Status = ParseStatus(reader.GetString(2)),
        CustomMessage = reader.IsDBNull(3) ? null : reader.GetString(3),
        StatusEmoji = reader.IsDBNull(4) ? null : reader.GetString(4),
        StatusExpiresAt = reader.IsDBNull(5) ? null : FromTicks(reader.GetInt64(5)),
        ActiveChannelId = reader.IsDBNull(6) ? null : reader.GetString(6),
        SuppressNotifications = reader.GetInt64(7) != 0,
        UpdatedAt = FromTicks(reader.GetInt64(8)),
        LastSeenAt = FromTicks(reader.GetInt64(9)),
        StatusBeforeOffline = reader.IsDBNull(10) ? null : ParseStatus(reader.GetString(10)),
        TransactionId = reader.GetInt64(11),
    };

    /// <summary>Reads every row of <paramref name="command"/> into <paramref name="into"/>.</summary>
    public static void ReadAll(SqliteCommand command, List<UserPresence> into)
    {
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            into.Add(Read(reader));
        }
    }

    public static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    public static object Nullable(string? value) => value is null ? DBNull.Value : value;

    public static object Nullable(DateTimeOffset? value) => value is { } v ? v.UtcTicks : DBNull.Value;

    public static object Nullable(PresenceStatus? value) => value is { } v ? v.ToWireName() : DBNull.Value;

    private static PresenceStatus ParseStatus(string name) =>
        PresenceStatusNames.TryParse(name, out var status)
            ? status
            : throw new InvalidDataException($"The presence database holds an unknown status '{name}'.");

    /// <summary>Adds a parameter whose value is set before each execution of a reused command.</summary>
    public static SqliteParameter Parameter(SqliteCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
