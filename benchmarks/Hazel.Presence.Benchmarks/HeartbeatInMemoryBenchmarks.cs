using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Hazel.Presence.Benchmarks.Infrastructure;

namespace Hazel.Presence.Benchmarks;

/// <summary>
/// Scenario 1: a steady-state heartbeat (the user's record exists) through <see cref="IPresenceService.HeartbeatAsync"/>
/// on the in-memory store, against the bare minimum: a <see cref="ConcurrentDictionary{TKey,TValue}"/> lookup
/// and an in-place timestamp write, with a clock read per operation in both (the real system clock).
/// Users are visited in a fixed shuffled order (each thread its own stretch), so the working set is all users.
/// Target: at least 0.5x the baseline's throughput (ratio of time per op at most 2.0), 0 B per heartbeat.
/// With 2 threads the reported time per op is wall time divided by the operations of both threads, i.e. the
/// inverse of the combined throughput.
/// </summary>
public class HeartbeatInMemoryBenchmarks
{
    private const int OpsPerInvoke = 1 << 16;

    private string[] _order = [];
    private readonly int[] _cursors = new int[2];
    private ConcurrentDictionary<string, LastSeenSlot> _baseline = new();
    private PresenceFixture? _fixture;
    private IPresenceService? _service;

    [Params(100_000, 1_000_000)]
    public int Users { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup(Target = nameof(Baseline_ConcurrentDictionary))]
    public void SetupBaseline()
    {
        var ids = Prepare();
        _baseline = new ConcurrentDictionary<string, LastSeenSlot>(StringComparer.Ordinal);
        var now = TimeProvider.System.GetUtcNow().UtcTicks;
        foreach (var id in ids)
        {
            _baseline[id] = new LastSeenSlot { Ticks = now };
        }
    }

    [GlobalSetup(Target = nameof(HeartbeatAsync))]
    public void SetupService()
    {
        var ids = Prepare();
        _fixture = new PresenceFixture(TimeProvider.System);
        _service = _fixture.Service;
        foreach (var id in ids)
        {
            _ = _service.HeartbeatAsync(id).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _baseline = new ConcurrentDictionary<string, LastSeenSlot>();
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
            _fixture = null;
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerInvoke)]
    public long Baseline_ConcurrentDictionary() => Run(new BaselineBeat(_baseline, TimeProvider.System));

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public long HeartbeatAsync() => Run(new ServiceBeat(_service!));

    private string[] Prepare()
    {
        var ids = BenchUsers.Ids(Users);
        _order = BenchUsers.Shuffled(ids);
        _cursors[0] = 0;
        _cursors[1] = _order.Length / 2;
        return ids;
    }

    private long Run<TBeat>(TBeat beat)
        where TBeat : struct, IBeat
    {
        if (Threads == 1)
        {
            return Loop(beat, 0, OpsPerInvoke);
        }

        // The second thread's Task costs ~100 B per invocation of 65,536 heartbeats: it rounds to 0 B per op.
        var other = Task.Run(() => Loop(beat, 1, OpsPerInvoke / 2));
        var mine = Loop(beat, 0, OpsPerInvoke / 2);
        return mine + other.GetAwaiter().GetResult();
    }

    private long Loop<TBeat>(TBeat beat, int thread, int count)
        where TBeat : struct, IBeat
    {
        var order = _order;
        var position = _cursors[thread];
        long sum = 0;
        for (var i = 0; i < count; i++)
        {
            sum += beat.Beat(order[position]);
            if (++position == order.Length)
            {
                position = 0;
            }
        }

        _cursors[thread] = position;
        return sum;
    }

    private interface IBeat
    {
        long Beat(string userId);
    }

    private readonly struct ServiceBeat(IPresenceService service) : IBeat
    {
        public long Beat(string userId)
        {
            var pending = service.HeartbeatAsync(userId);
            return pending.IsCompletedSuccessfully
                ? pending.Result.UtcTicks
                : pending.AsTask().GetAwaiter().GetResult().UtcTicks;
        }
    }

    private readonly struct BaselineBeat(ConcurrentDictionary<string, LastSeenSlot> slots, TimeProvider time) : IBeat
    {
        public long Beat(string userId)
        {
            var now = time.GetUtcNow().UtcTicks;
            if (slots.TryGetValue(userId, out var slot))
            {
                Volatile.Write(ref slot.Ticks, now);
            }

            return now;
        }
    }

    private sealed class LastSeenSlot
    {
        public long Ticks;
    }
}
