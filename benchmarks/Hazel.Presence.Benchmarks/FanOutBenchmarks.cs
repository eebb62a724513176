using BenchmarkDotNet.Attributes;
using Hazel.Presence.Benchmarks.Infrastructure;

namespace Hazel.Presence.Benchmarks;

/// <summary>
/// Scenario 5: one committed change delivered to 10,000 watchers (<see cref="IPresenceService.WatchAsync"/>, all
/// users). Each watcher passes a cancellable token, as an SSE request does (its RequestAborted); the full run
/// also measures watchers without one (CancellationToken.None), which shows what the token costs. One operation = one <c>UpdateAsync</c> until the
/// last watcher has the change, so the mean is the latency to the last watcher and Allocated is per change for
/// all 10,000 watchers together. Baseline: the bare minimum of waking 10,000 awaiting tasks, i.e. 10,000 loops
/// awaiting one shared <see cref="TaskCompletionSource"/> that the writer completes and replaces.
/// </summary>
[InvocationCount(16, 1)]
public class FanOutBenchmarks
{
    public const int Watchers = 10_000;

    /// <summary>Keeps a broken delivery from hanging the run; far above any real latency.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly PresenceUpdate Update = new() { Status = PresenceStatus.Online };
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = new(Watchers);
    private PresenceFixture? _fixture;
    private TaskCompletionSource _signal = NewSignal();
    private TaskCompletionSource _allDelivered = NewSignal();
    private int _remaining;
    private bool _stopping;

    public static IEnumerable<bool> TokenChoices => BenchMode.Quick ? [true] : [true, false];

    /// <summary>Whether each watcher passes a cancellable token (the baseline's loops take none either way).</summary>
    [ParamsSource(nameof(TokenChoices))]
    public bool CancellableToken { get; set; }

    [GlobalSetup(Target = nameof(Baseline_SharedSignal))]
    public void SetupBaseline()
    {
        for (var i = 0; i < Watchers; i++)
        {
            _loops.Add(BaselineLoop());
        }
    }

    [GlobalSetup(Target = nameof(WatchAsync_10000Watchers))]
    public void SetupService()
    {
        _fixture = new PresenceFixture(TimeProvider.System);
        var service = _fixture.Service;
        _ = service.UpdateAsync("fan-out-user", Update).AsTask().GetAwaiter().GetResult();
        for (var i = 0; i < Watchers; i++)
        {
            // WatchAsync subscribes before it returns, so no change after this line is missed.
            var stream = service.WatchAsync(null, null, CancellableToken ? _stop.Token : CancellationToken.None);
            _loops.Add(WatchLoop(stream));
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        Volatile.Write(ref _stopping, true);
        await _stop.CancelAsync();
        Volatile.Read(ref _signal).TrySetCanceled();
        if (_fixture is not null)
        {
            // Watchers without a cancellable token end at the next change they see.
            await _fixture.Service.UpdateAsync("fan-out-user", Update);
        }

        foreach (var loop in _loops)
        {
            try
            {
                await loop.WaitAsync(Timeout);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _loops.Clear();
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        _stop.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task Baseline_SharedSignal()
    {
        var delivered = Arm();
        var signal = _signal;
        Volatile.Write(ref _signal, NewSignal());
        signal.TrySetResult();
        return delivered.WaitAsync(Timeout);
    }

    [Benchmark]
    public async Task WatchAsync_10000Watchers()
    {
        var delivered = Arm();
        await _fixture!.Service.UpdateAsync("fan-out-user", Update);
        await delivered.WaitAsync(Timeout);
    }

    private Task Arm()
    {
        _allDelivered = NewSignal();
        Volatile.Write(ref _remaining, Watchers);
        return _allDelivered.Task;
    }

    private void Delivered()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _allDelivered.TrySetResult();
        }
    }

    private async Task WatchLoop(IAsyncEnumerable<PresenceChange> stream)
    {
        await foreach (var change in stream.ConfigureAwait(false))
        {
            if (Volatile.Read(ref _stopping))
            {
                return;
            }

            Delivered();
        }
    }

    private async Task BaselineLoop()
    {
        // No yield before the first await: every loop is waiting on the signal when setup returns.
        var signal = Volatile.Read(ref _signal).Task;
        while (true)
        {
            await signal.ConfigureAwait(false);

            // The writer swapped in the next signal before completing this one: take it before reporting
            // delivery, or the next change could be published between the two and missed.
            signal = Volatile.Read(ref _signal).Task;
            Delivered();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
