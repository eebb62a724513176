using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.Channels;
using Hazel.Presence.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hazel.Presence.Sqlite;

/// <summary>
/// The SQLite store. Reads run on the caller's thread on pooled read connections (WAL: never blocked by the
/// writer). Writes are queued to one writer thread that drains the queue and commits what it took in one
/// transaction (group commit), then publishes the changes in transaction-id order and completes the callers.
/// </summary>
internal sealed class SqlitePresenceStore : IPresenceStore, IAsyncDisposable, IDisposable
{
    /// <summary>The meter of this store (documented in docs/sqlite.md).</summary>
    internal const string MeterName = "Hazel.Presence.Sqlite";

    private readonly SqlitePresenceOptions _options;
    private readonly IPresenceChangeSink _sink;
    private readonly ILogger _logger;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly int _busyTimeoutMilliseconds;
    private readonly Channel<WriteOperation> _queue;
    private readonly ConcurrentQueue<SqliteReadConnection> _idleReaders = new();
    private readonly Dictionary<string, HeartbeatOperation> _openHeartbeats = new(StringComparer.Ordinal);
    private readonly Task _writerLoop;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<int> _batchSize;
    private SqliteWriteConnection? _writer;
    private int _idleReaderCount;
    private int _disposed;

    public SqlitePresenceStore(
        IOptions<SqlitePresenceOptions> options,
        IPresenceChangeSink sink,
        ILogger<SqlitePresenceStore> logger,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _sink = sink;
        _logger = logger;

        // IMeterFactory is registered by hosts (AddMetrics); the factory owns and disposes the meters it creates.
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _batchSize = _meter.CreateHistogram<int>("hazel.presence.sqlite.batch.size", "{write}", "Writes committed in one transaction by the writer (group commit).");
        _busyTimeoutMilliseconds = (int)_options.BusyTimeout.TotalMilliseconds;

        // We pool our own connections (with their prepared statements), so the driver's pool is off. Its
        // command timeout, which also bounds its own retries on a busy database, follows the busy timeout.
        var builder = new SqliteConnectionStringBuilder(_options.ConnectionString)
        {
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds)),
        };
        _writerConnectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWrite;
        _readerConnectionString = builder.ToString();

        using (var migration = new SqliteConnection(_writerConnectionString))
        {
            migration.Open();
            SqliteSchema.Execute(migration, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)};");
            var from = SqliteSchema.Migrate(migration);
            if (from != SqliteSchema.LatestVersion)
            {
                Log.SchemaMigrated(_logger, builder.DataSource, from, SqliteSchema.LatestVersion);
            }
        }

        var writer = new SqliteWriteConnection(_writerConnectionString, _options.Durability, _busyTimeoutMilliseconds);
        _writer = writer;
        Log.StoreOpened(_logger, builder.DataSource, SqliteSchema.LatestVersion, _options.Durability);
        _queue = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
        _writerLoop = Task.Factory.StartNew(RunWriter, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public ValueTask<UserPresence> UpsertAsync(string userId, PresenceChangeKind kind, PresenceMutation mutation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(mutation);
        return new UpsertOperation(userId, kind, mutation).EnqueueAsync(_queue.Writer, this, cancellationToken);
    }

    public ValueTask<PresenceHeartbeatResult> HeartbeatAsync(string userId, DateTimeOffset now, bool restoreStatus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return new HeartbeatOperation(userId, now, restoreStatus).EnqueueAsync(_queue.Writer, this, cancellationToken);
    }

    public ValueTask<IReadOnlyList<UserPresence>> MarkStaleOfflineAsync(DateTimeOffset lastSeenBefore, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return SweepOperation.MarkStaleOffline(lastSeenBefore, now, limit).EnqueueAsync(_queue.Writer, this, cancellationToken);
    }

    public ValueTask<IReadOnlyList<UserPresence>> ClearExpiredStatusesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return SweepOperation.ClearExpired(now, limit).EnqueueAsync(_queue.Writer, this, cancellationToken);
    }

    public ValueTask<UserPresence?> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return new(Read(userId, static (connection, id) => connection.Get(id), cancellationToken));
    }

    public ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        ThrowIfDisposed();
        if (userIds.Count == 0)
        {
            return new([]);
        }

        return new(Read(userIds, static (connection, ids) => connection.GetMany(ids), cancellationToken));
    }

    public ValueTask<IReadOnlyList<UserPresence>> GetByChannelAsync(string channelId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channelId);
        return new(Read(channelId, static (connection, id) => connection.GetByChannel(id), cancellationToken));
    }

    public ValueTask<IReadOnlyList<UserPresence>> GetChangedSinceAsync(long afterTransactionId, IReadOnlyCollection<string>? userIds, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ThrowIfDisposed();
        if (limit == 0 || userIds is { Count: 0 })
        {
            return new([]);
        }

        return new(Read(
            (afterTransactionId, userIds, limit),
            static (connection, args) => connection.GetChangedSince(args.afterTransactionId, args.userIds, args.limit),
            cancellationToken));
    }

    /// <summary>Stops accepting writes, commits everything already queued, then closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }

        await _writerLoop.ConfigureAwait(false);
        DisposeIdleReaders();
        DisposeMeter();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }

        _writerLoop.GetAwaiter().GetResult();
        DisposeIdleReaders();
        DisposeMeter();
    }

    private void DisposeMeter()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private TResult Read<TArg, TResult>(TArg arg, Func<SqliteReadConnection, TArg, TResult> read, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        var connection = RentReader();
        var healthy = false;
        try
        {
            var result = read(connection, arg);
            healthy = true;
            return result;
        }
        finally
        {
            ReturnReader(connection, healthy);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private SqliteReadConnection RentReader()
    {
        if (_idleReaders.TryDequeue(out var connection))
        {
            Interlocked.Decrement(ref _idleReaderCount);
            return connection;
        }

        return new SqliteReadConnection(_readerConnectionString, _busyTimeoutMilliseconds);
    }

    private void ReturnReader(SqliteReadConnection connection, bool healthy)
    {
        // A connection that failed mid-read may hold an open statement; a fresh one is cheaper than doubt.
        if (!healthy || Volatile.Read(ref _disposed) != 0)
        {
            connection.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _idleReaderCount) > _options.MaxPooledReadConnections)
        {
            Interlocked.Decrement(ref _idleReaderCount);
            connection.Dispose();
            return;
        }

        _idleReaders.Enqueue(connection);
        if (Volatile.Read(ref _disposed) != 0)
        {
            DisposeIdleReaders(); // disposal may have drained the pool just before we returned to it
        }
    }

    private void DisposeIdleReaders()
    {
        while (_idleReaders.TryDequeue(out var reader))
        {
            reader.Dispose();
        }
    }

    /// <summary>The writer thread: one batch per loop, until the queue is completed and drained.</summary>
    private void RunWriter()
    {
        var reader = _queue.Reader;
        var batch = new List<WriteOperation>(Math.Min(_options.MaxBatchSize, 4096));
        try
        {
            while (WaitForWrites(reader))
            {
                while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var operation))
                {
                    if (operation.TryTake())
                    {
                        batch.Add(operation);
                    }
                }

                if (batch.Count > 0)
                {
                    try
                    {
                        ProcessBatch(batch);
                    }
#pragma warning disable CA1031 // The writer thread must survive anything, or every later write would hang.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        Log.BatchFailed(_logger, batch.Count, ex);
                        foreach (var operation in batch)
                        {
                            operation.Fail(ex); // no-op for those already completed
                        }
                    }

                    batch.Clear();
                }
            }
        }
        finally
        {
            _writer?.Dispose();
            _writer = null;
        }

        static bool WaitForWrites(ChannelReader<WriteOperation> reader)
        {
            var wait = reader.WaitToReadAsync();
            return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Commits <paramref name="batch"/> in one transaction. When one operation's statement fails, that operation
    /// fails alone and the rest is committed again without it; when the transaction itself fails (begin, commit)
    /// or the database does (busy, I/O, disk full), every operation of the batch fails with that error and the
    /// writer reopens its connection for the next batch.
    /// </summary>
    private void ProcessBatch(List<WriteOperation> batch)
    {
        var pending = batch;
        while (pending.Count > 0)
        {
            var (failedIndex, error) = TryCommit(pending);
            if (error is null)
            {
                return;
            }

            if (failedIndex < 0 || IsBatchWide(error))
            {
                Log.BatchFailed(_logger, pending.Count, error);
                foreach (var operation in pending)
                {
                    operation.Fail(error);
                }

                ReopenWriter();
                return;
            }

            Log.WriteFailedInBatch(_logger, pending.Count, error);
            pending[failedIndex].Fail(error);
            pending = [.. pending.Where((_, i) => i != failedIndex)];
        }
    }

    /// <summary>Errors of the database or the file rather than of one statement: retrying without the write would fail again.</summary>
    private static bool IsBatchWide(Exception error) =>
        error is SqliteException sqlite && (sqlite.SqliteErrorCode & 0xFF) is
            5 /* BUSY */ or 6 /* LOCKED */ or 7 /* NOMEM */ or 8 /* READONLY */ or 10 /* IOERR */ or 11 /* CORRUPT */
            or 13 /* FULL */ or 14 /* CANTOPEN */ or 26 /* NOTADB */;

    /// <returns>(-1, null) on commit; else the failed operation's index (-1 when no single operation failed) and the error.</returns>
    private (int FailedIndex, Exception? Error) TryCommit(List<WriteOperation> operations)
    {
        CoalesceHeartbeats(operations);
        var current = -1;
        WriteBatchContext batch;
        try
        {
            var connection = _writer ??= new SqliteWriteConnection(_writerConnectionString, _options.Durability, _busyTimeoutMilliseconds);
            batch = new WriteBatchContext(connection);
            connection.Begin();
            var first = connection.ReadSequence();
            batch.LastTransactionId = first;
            for (current = 0; current < operations.Count; current++)
            {
                operations[current].Execute(batch);
            }

            current = -1;
            if (batch.LastTransactionId != first)
            {
                connection.WriteSequence(batch.LastTransactionId);
            }

            connection.Commit();
        }
#pragma warning disable CA1031 // Whatever failed, the callers get the exception and the writer goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_writer is { } writer && !writer.TryRollback())
            {
                ReopenWriter();
            }

            return (current, ex);
        }

        _batchSize.Record(operations.Count);
        foreach (var change in batch.Changes)
        {
            try
            {
                _sink.OnCommitted(change);
            }
#pragma warning disable CA1031 // A faulty sink must not fail writes that are already committed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SinkFailed(_logger, ex);
            }
        }

        foreach (var operation in operations)
        {
            operation.Complete();
        }

        return (-1, null);
    }

    /// <summary>
    /// Groups the heartbeats of each user into the first one of the batch. A write or a sweep touching that user
    /// in between closes the group, so coalescing never reorders a heartbeat across another change.
    /// </summary>
    private void CoalesceHeartbeats(List<WriteOperation> operations)
    {
        _openHeartbeats.Clear();
        foreach (var operation in operations)
        {
            switch (operation)
            {
                case HeartbeatOperation heartbeat:
                    heartbeat.Lead();
                    if (_openHeartbeats.TryGetValue(heartbeat.UserId, out var leader) && leader.RestoreStatus == heartbeat.RestoreStatus)
                    {
                        heartbeat.Follow(leader);
                    }
                    else
                    {
                        _openHeartbeats[heartbeat.UserId] = heartbeat;
                    }

                    break;
                case UpsertOperation upsert:
                    _openHeartbeats.Remove(upsert.UserId);
                    break;
                default:
                    _openHeartbeats.Clear();
                    break;
            }
        }
    }

    private void ReopenWriter()
    {
        _writer?.Dispose();
        _writer = null; // reopened by the next batch
    }
}
