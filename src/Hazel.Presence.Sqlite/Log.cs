using Microsoft.Extensions.Logging;

namespace Hazel.Presence.Sqlite;

internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "SQLite presence store opened {DataSource} (schema version {SchemaVersion}, durability {Durability}).")]
    public static partial void StoreOpened(ILogger logger, string dataSource, long schemaVersion, SqliteDurability durability);

    [LoggerMessage(101, LogLevel.Information, "Migrated the SQLite presence schema of {DataSource} from version {FromVersion} to {ToVersion}.")]
    public static partial void SchemaMigrated(ILogger logger, string dataSource, long fromVersion, long toVersion);

    [LoggerMessage(102, LogLevel.Warning, "A write of a batch of {BatchSize} failed; failing that write and committing the rest of the batch again.")]
    public static partial void WriteFailedInBatch(ILogger logger, int batchSize, Exception exception);

    [LoggerMessage(103, LogLevel.Error, "A SQLite presence write batch of {BatchSize} failed to commit; its writes failed and the writer reopens its connection.")]
    public static partial void BatchFailed(ILogger logger, int batchSize, Exception exception);

    [LoggerMessage(104, LogLevel.Error, "A presence change sink threw while the SQLite store published a committed change.")]
    public static partial void SinkFailed(ILogger logger, Exception exception);
}
