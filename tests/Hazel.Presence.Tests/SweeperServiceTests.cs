using Hazel.Presence.Internal;
using Microsoft.Extensions.Logging.Testing;

namespace Hazel.Presence.Tests;

/// <summary>The hosted loop around SweepOnceAsync, on the real clock (a FakeTimeProvider cannot drive it reliably).</summary>
public sealed class SweeperServiceTests
{
    [Fact]
    public async Task Sweeper_service_logs_a_failed_sweep_and_sweeps_again_on_the_next_tick()
    {
        var presence = new FailingOnceSweeps();
        var logger = new FakeLogger<PresenceSweeperService>();
        var options = Microsoft.Extensions.Options.Options.Create(new PresenceOptions { SweepInterval = TimeSpan.FromMilliseconds(10) });
        using var sweeper = new PresenceSweeperService(presence, TimeProvider.System, options, logger);

        // The real clock only paces the ticks; the bound is for liveness, not for the assertion.
        await sweeper.StartAsync(TestContext.Current.CancellationToken);
        await presence.SecondSweep.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await sweeper.StopAsync(TestContext.Current.CancellationToken);

        var failure = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1);
        Assert.IsType<InvalidOperationException>(failure.Exception);
        Assert.False(sweeper.ExecuteTask!.IsFaulted);
    }

    /// <summary>A service whose first sweep throws and whose second completes <see cref="SecondSweep"/>.</summary>
    private sealed class FailingOnceSweeps : IPresenceService
    {
        private int _sweeps;

        public TaskCompletionSource SecondSweep { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<PresenceSweepResult> SweepOnceAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _sweeps) == 1)
            {
                throw new InvalidOperationException("The store is unavailable.");
            }

            SecondSweep.TrySetResult();
            return ValueTask.FromResult(default(PresenceSweepResult));
        }

        public ValueTask<PresenceResult> UpdateAsync(string userId, PresenceUpdate update, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<DateTimeOffset> HeartbeatAsync(string userId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<PresenceResult> ClearStatusAsync(string userId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<UserPresence> GetAsync(string userId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<UserPresence>> GetManyAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<UserPresence>> GetActiveInChannelAsync(string channelId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<bool> ShouldNotifyAsync(string userId, string? channelId = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<PresenceChange> WatchAsync(IReadOnlyCollection<string>? userIds = null, long? afterTransactionId = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
