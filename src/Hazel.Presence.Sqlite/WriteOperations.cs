using System.Threading.Channels;
using System.Threading.Tasks.Sources;
using Hazel.Presence.Storage;

namespace Hazel.Presence.Sqlite;

/// <summary>The state one write attempt shares between the operations of a batch.</summary>
internal sealed class WriteBatchContext(SqliteWriteConnection connection)
{
    public SqliteWriteConnection Connection { get; } = connection;

    /// <summary>The last transaction id allocated so far in this attempt.</summary>
    public long LastTransactionId { get; set; }

    /// <summary>Changes to publish, in transaction-id order, once the attempt commits.</summary>
    public List<PresenceChange> Changes { get; } = [];

    public long NextTransactionId() => ++LastTransactionId;
}

/// <summary>
/// A queued write. The writer thread executes it inside a batch transaction and completes it only after the
/// batch commits; its outcome is kept pending until then, so a retried batch simply executes it again.
/// </summary>
internal abstract class WriteOperation
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Canceled = 2;
    private int _state;

    /// <summary>Claims the operation for the writer; false when its caller canceled it first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    protected bool TryCancel() => Interlocked.CompareExchange(ref _state, Canceled, Queued) == Queued;

    /// <summary>Executes inside the batch transaction; SQL errors propagate and fail the attempt.</summary>
    public abstract void Execute(WriteBatchContext batch);

    /// <summary>Delivers the pending outcome; called after commit.</summary>
    public abstract void Complete();

    /// <summary>Fails the caller with <paramref name="error"/>.</summary>
    public abstract void Fail(Exception error);
}

/// <summary>A write whose caller awaits a <typeparamref name="T"/>; the operation is its own value-task source (one allocation per call).</summary>
internal abstract class WriteOperation<T> : WriteOperation, IValueTaskSource<T>
{
    private ManualResetValueTaskSourceCore<T> _completion;
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _cancellationToken;
    private int _finished;

    protected WriteOperation()
    {
        // Never run the caller's continuation on the writer thread.
        _completion.RunContinuationsAsynchronously = true;
    }

    /// <summary>The outcome to deliver after commit: a result, or an error of this operation alone.</summary>
    protected T? PendingResult { get; set; }

    protected Exception? PendingError { get; set; }

    public ValueTask<T> EnqueueAsync(ChannelWriter<WriteOperation> queue, object owner, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellationToken = cancellationToken;
            _cancellation = cancellationToken.UnsafeRegister(static state => ((WriteOperation<T>)state!).OnCanceled(), this);
        }

        if (!queue.TryWrite(this))
        {
            _cancellation.Dispose();
            throw new ObjectDisposedException(owner.GetType().FullName, "The SQLite presence store has been disposed.");
        }

        return new ValueTask<T>(this, _completion.Version);
    }

    public override void Complete()
    {
        if (PendingError is { } error)
        {
            Fail(error);
        }
        else
        {
            Succeed(PendingResult!);
        }
    }

    /// <summary>Fails the caller; does nothing when the operation already completed.</summary>
    public override void Fail(Exception error)
    {
        if (TryFinish())
        {
            _completion.SetException(error);
        }
    }

    protected void Succeed(T result)
    {
        if (TryFinish())
        {
            _completion.SetResult(result);
        }
    }

    private bool TryFinish()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return false;
        }

        _cancellation.Unregister();
        return true;
    }

    /// <summary>Clears the outcome of a previous attempt.</summary>
    protected void ResetOutcome()
    {
        PendingResult = default;
        PendingError = null;
    }

    private void OnCanceled()
    {
        // Only a write the writer has not taken yet can be canceled; once taken it commits or fails.
        if (TryCancel() && Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _completion.SetException(new OperationCanceledException(_cancellationToken));
        }
    }

    T IValueTaskSource<T>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<T>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<T>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}

/// <summary><see cref="IPresenceStore.UpsertAsync"/>: read, run the caller's mutation, write, on the writer.</summary>
internal sealed class UpsertOperation(string userId, PresenceChangeKind kind, PresenceMutation mutation) : WriteOperation<UserPresence>
{
    public string UserId { get; } = userId;

    public override void Execute(WriteBatchContext batch)
    {
        ResetOutcome();
        var current = batch.Connection.Select(UserId);
        UserPresence next;
        try
        {
            next = mutation(current);
        }
#pragma warning disable CA1031 // The caller's mutation failed: that fails this call only, never the batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PendingError = ex;
            return;
        }

        if (next is null || !string.Equals(next.UserId, UserId, StringComparison.Ordinal))
        {
            PendingError = new InvalidOperationException("A presence mutation must return a record of the same user id.");
            return;
        }

        var lastSeen = current is not null && current.LastSeenAt > next.LastSeenAt ? current.LastSeenAt : next.LastSeenAt;
        var committed = next with { LastSeenAt = lastSeen, TransactionId = batch.NextTransactionId() };
        batch.Connection.Write(committed, exists: current is not null);
        batch.Changes.Add(new PresenceChange(current is null ? PresenceChangeKind.Created : kind, committed));
        PendingResult = committed;
    }
}

/// <summary>
/// <see cref="IPresenceStore.HeartbeatAsync"/>. Heartbeats of one user queued in one batch coalesce: the first
/// (the leader) writes once with the latest time, the others (followers) complete with its result.
/// </summary>
internal sealed class HeartbeatOperation(string userId, DateTimeOffset now, bool restoreStatus) : WriteOperation<PresenceHeartbeatResult>
{
    public string UserId { get; } = userId;

    public bool RestoreStatus { get; } = restoreStatus;

    /// <summary>The leader this heartbeat coalesced into in the current attempt; null when it leads itself.</summary>
    public HeartbeatOperation? Leader { get; private set; }

    private long _groupNowTicks;

    /// <summary>Starts a new attempt as its own leader.</summary>
    public void Lead()
    {
        Leader = null;
        _groupNowTicks = now.UtcTicks;
    }

    /// <summary>Coalesces into <paramref name="leader"/> for the current attempt.</summary>
    public void Follow(HeartbeatOperation leader)
    {
        Leader = leader;
        leader._groupNowTicks = Math.Max(leader._groupNowTicks, now.UtcTicks);
    }

    public override void Execute(WriteBatchContext batch)
    {
        ResetOutcome();
        if (Leader is not null)
        {
            return;
        }

        var connection = batch.Connection;
        if (connection.TryTouch(UserId, _groupNowTicks, RestoreStatus) is { } touched)
        {
            PendingResult = new PresenceHeartbeatResult(SqliteRecords.FromTicks(touched), null);
            return;
        }

        // Missing or restorable: a change with its own transaction id.
        var nowValue = SqliteRecords.FromTicks(_groupNowTicks);
        var current = connection.Select(UserId);
        UserPresence next;
        PresenceChangeKind kind;
        if (current is null)
        {
            kind = PresenceChangeKind.Created;
            next = new UserPresence
            {
                Id = Guid.CreateVersion7(nowValue),
                UserId = UserId,
                Status = PresenceStatus.Online,
                UpdatedAt = nowValue,
                LastSeenAt = nowValue,
            };
        }
        else
        {
            var lastSeen = current.LastSeenAt > nowValue ? current.LastSeenAt : nowValue;
            if (!(RestoreStatus && current is { Status: PresenceStatus.Offline, StatusBeforeOffline: { } before }))
            {
                // Not reachable with one writer per transaction; kept so the heartbeat still lands.
                connection.Write(current with { LastSeenAt = lastSeen }, exists: true);
                PendingResult = new PresenceHeartbeatResult(lastSeen, null);
                return;
            }

            kind = PresenceChangeKind.Restored;
            next = current with { Status = before, StatusBeforeOffline = null, UpdatedAt = nowValue, LastSeenAt = lastSeen };
        }

        var committed = next with { TransactionId = batch.NextTransactionId() };
        connection.Write(committed, exists: current is not null);
        batch.Changes.Add(new PresenceChange(kind, committed));
        PendingResult = new PresenceHeartbeatResult(committed.LastSeenAt, committed);
    }

    public override void Complete()
    {
        if (Leader is { } leader)
        {
            Succeed(new PresenceHeartbeatResult(leader.PendingResult.LastSeenAt, null));
        }
        else
        {
            base.Complete();
        }
    }
}

/// <summary>A bounded conditional bulk transition: stale users offline, or expired custom statuses cleared.</summary>
internal sealed class SweepOperation : WriteOperation<IReadOnlyList<UserPresence>>
{
    private readonly bool _markStale;
    private readonly long _thresholdTicks;
    private readonly long _nowTicks;
    private readonly int _limit;

    private SweepOperation(bool markStale, long thresholdTicks, long nowTicks, int limit)
    {
        _markStale = markStale;
        _thresholdTicks = thresholdTicks;
        _nowTicks = nowTicks;
        _limit = limit;
    }

    public static SweepOperation MarkStaleOffline(DateTimeOffset lastSeenBefore, DateTimeOffset now, int limit) =>
        new(markStale: true, lastSeenBefore.UtcTicks, now.UtcTicks, limit);

    public static SweepOperation ClearExpired(DateTimeOffset now, int limit) =>
        new(markStale: false, 0, now.UtcTicks, limit);

    public override void Execute(WriteBatchContext batch)
    {
        ResetOutcome();
        var changed = _markStale
            ? batch.Connection.MarkStaleOffline(batch.LastTransactionId, _thresholdTicks, _nowTicks, _limit)
            : batch.Connection.ClearExpired(batch.LastTransactionId, _nowTicks, _limit);
        var kind = _markStale ? PresenceChangeKind.MarkedOffline : PresenceChangeKind.StatusExpired;
        foreach (var record in changed)
        {
            if (record.TransactionId != batch.NextTransactionId())
            {
                throw new InvalidOperationException("A sweep numbered its rows out of sequence.");
            }

            batch.Changes.Add(new PresenceChange(kind, record));
        }

        PendingResult = changed;
    }
}
