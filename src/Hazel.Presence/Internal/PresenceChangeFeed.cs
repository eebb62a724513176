using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Hazel.Presence.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hazel.Presence.Internal;

/// <summary>
/// The change feed: one ring of the most recent committed changes, written by stores in commit order and read
/// by every watcher at its own pace. Writers never wait for readers; a reader that falls more than the ring's
/// size behind is dropped with <see cref="PresenceWatchOverflowException"/>.
/// </summary>
internal sealed class PresenceChangeFeed : IPresenceChangeSink
{
    private readonly PresenceChange?[] _ring;
    private readonly Lock _writeLock = new();
    private readonly ILogger<PresenceChangeFeed> _logger;
    private long _published;
    private TaskCompletionSource _next = NewSignal();

    public PresenceChangeFeed(IOptions<PresenceOptions> options, ILogger<PresenceChangeFeed> logger)
    {
        // One spare slot: the lap check treats the slot being overwritten as lost, so a reader may still fall
        // exactly WatchBufferSize changes behind.
        _ring = new PresenceChange?[options.Value.WatchBufferSize + 1];
        _logger = logger;
    }

    /// <summary>How many changes were published since start.</summary>
    public long Published => Volatile.Read(ref _published);

    public void OnCommitted(PresenceChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        TaskCompletionSource signal;
        lock (_writeLock)
        {
            _ring[_published % _ring.Length] = change;
            Volatile.Write(ref _published, _published + 1);
            signal = _next;
            Volatile.Write(ref _next, NewSignal());
        }

        signal.TrySetResult();
    }

    /// <summary>Starts reading at the next change to be published.</summary>
    public Subscription Subscribe() => new(this, Published);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One reader's position in the ring.</summary>
    internal sealed class Subscription(PresenceChangeFeed feed, long position)
    {
        private long _position = position;

        /// <summary>The next change, waiting until one is published.</summary>
        /// <param name="lastDelivered">The reader's last delivered transaction id, reported on overflow.</param>
        /// <param name="cancellationToken">Ends the wait.</param>
        // Pooled: every watcher suspends here once per change, so a fresh state machine box each time adds up.
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<PresenceChange> ReadAsync(long lastDelivered, CancellationToken cancellationToken)
        {
            while (true)
            {
                // Read the signal before the count: a publish after this read completes this signal.
                var wait = Volatile.Read(ref feed._next).Task;
                if (TryRead(lastDelivered, out var change))
                {
                    return change;
                }

                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The next change if one is already published.</summary>
        /// <exception cref="PresenceWatchOverflowException">The writers lapped this reader.</exception>
        public bool TryRead(long lastDelivered, [NotNullWhen(true)] out PresenceChange? change)
        {
            var ring = feed._ring;
            if (_position >= feed.Published)
            {
                change = null;
                return false;
            }

            change = Volatile.Read(ref ring[_position % ring.Length])!;

            // The writer may have lapped us before or while we read the slot. It overwrites our slot while
            // Published == _position + ring.Length (before incrementing it), so that count already means lost.
            var published = feed.Published;
            if (published - _position >= ring.Length)
            {
                Log.WatcherOverflow(feed._logger, published - _position);
                throw new PresenceWatchOverflowException(lastDelivered);
            }

            _position++;
            return true;
        }
    }
}
