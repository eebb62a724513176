using BenchmarkDotNet.Attributes;
using Hazel.Presence.Benchmarks.Infrastructure;

namespace Hazel.Presence.Benchmarks;

/// <summary>
/// Scenario 3: the cost of one <see cref="IPresenceService.SweepOnceAsync"/> with 1,000 users due among 100k and
/// among 1M (baseline: the 100k sweep, so Ratio of the 1M row is the target figure, at most 1.5), and with
/// nothing due among 1M (target under 1 ms). Before each measured sweep the 1,000 due users heartbeat at a
/// time that makes them due at the sweep (restoring them if the last sweep marked them offline); every other
/// user last beat 30 s before the sweep. Each sweep is checked to have marked exactly what was due.
/// One sweep per iteration, so 30 warm-up iterations: the sweep's code must reach tier-1 JIT (30 calls) before
/// it is measured, as it has in a host that has swept for a while.
/// </summary>
[InvocationCount(1, 1)]
[WarmupCount(30)]
[IterationCount(20)]
public class SweepBenchmarks
{
    private const int Due = 1000;
    private static readonly TimeSpan OfflineAfter = TimeSpan.FromMinutes(2);

    /// <summary>The due users' first heartbeat; every other user beats at <see cref="FreshAt"/>.</summary>
    private static readonly DateTimeOffset DueAt = BenchUsers.Epoch;
    private static readonly DateTimeOffset FreshAt = DueAt + TimeSpan.FromSeconds(120);

    private readonly SettableTimeProvider _clock = new(DueAt);
    private StoreFixture? _store;
    private string[] _due = [];
    private int _iteration;

    [Params(BenchStore.InMemory, BenchStore.Sqlite)]
    public BenchStore Store { get; set; }

    [GlobalSetup(Target = nameof(Sweep_100k_1000Due))]
    public Task Setup100k() => SetupAsync(100_000);

    [GlobalSetup(Targets = [nameof(Sweep_1M_1000Due), nameof(Sweep_1M_NothingDue)])]
    public Task Setup1M() => SetupAsync(1_000_000);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
    }

    [IterationSetup(Targets = [nameof(Sweep_100k_1000Due), nameof(Sweep_1M_1000Due)])]
    public void RearmDueUsers()
    {
        // Each iteration moves the due users' last-seen 1 ms further; the others stay fresh for 90,000 iterations.
        var beatAt = DueAt + TimeSpan.FromMilliseconds(++_iteration);
        _clock.Now = beatAt;
        Seeding.HeartbeatAllAsync(_store!.Service, _due).GetAwaiter().GetResult();
        _clock.Now = beatAt + OfflineAfter + TimeSpan.FromSeconds(30);
    }

    /// <summary>Sweeps 100 s after the oldest heartbeat: the threshold (2 min back) is before everyone's last beat.</summary>
    [IterationSetup(Target = nameof(Sweep_1M_NothingDue))]
    public void NothingDue() => _clock.Now = DueAt + TimeSpan.FromSeconds(100);

    [Benchmark(Baseline = true)]
    public Task<int> Sweep_100k_1000Due() => SweepAsync(Due);

    [Benchmark]
    public Task<int> Sweep_1M_1000Due() => SweepAsync(Due);

    [Benchmark]
    public Task<int> Sweep_1M_NothingDue() => SweepAsync(0);

    private async Task<int> SweepAsync(int expected)
    {
        var result = await _store!.Service.SweepOnceAsync();
        if (result.MarkedOffline != expected)
        {
            throw new InvalidOperationException($"The sweep marked {result.MarkedOffline} users offline; {expected} were due.");
        }

        return result.MarkedOffline;
    }

    private async Task SetupAsync(int users)
    {
        _iteration = 0;
        var ids = BenchUsers.Ids(users);
        _due = BenchUsers.Spread(users, Due).Select(i => ids[i]).ToArray();
        var dueSet = _due.ToHashSet(StringComparer.Ordinal);
        var fresh = ids.Where(id => !dueSet.Contains(id)).ToArray();

        _store = await StoreFixture.CreateAsync(Store, _clock, $"sweep-{users}", o => o.OfflineAfter = OfflineAfter, async service =>
        {
            _clock.Now = DueAt;
            await Seeding.HeartbeatAllAsync(service, _due);
            _clock.Now = FreshAt;
            await Seeding.HeartbeatAllAsync(service, fresh);
        });
    }
}

/// <summary>
/// Scenario 3, steady state (in-memory only): every user is active, beating before each sweep, with
/// <c>OfflineAfter</c> 2 min and a sweep every 15 s, so nobody is due. This is the sweep a busy host runs all day; it
/// shows what the 1,000-due figures leave out: the in-memory store indexes users by the last-seen they had when
/// indexed and re-indexes active users when their old slot comes up, about users x 15 s / 2 min per sweep.
/// (SQLite pays for its index on every heartbeat instead; re-beating 1M SQLite users per iteration would take
/// minutes, so it is not run here.) Baseline: the 100k sweep.
/// </summary>
[InvocationCount(1, 1)]
[WarmupCount(30)]
[IterationCount(20)]
[FullRunOnly]
public class SweepSteadyStateBenchmarks
{
    private static readonly TimeSpan OfflineAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(15);

    private readonly SettableTimeProvider _clock = new(BenchUsers.Epoch);
    private StoreFixture? _store;
    private string[] _ids = [];
    private int _sweep;

    [GlobalSetup(Target = nameof(Sweep_100k_AllActive))]
    public Task Setup100k() => SetupAsync(100_000);

    [GlobalSetup(Target = nameof(Sweep_1M_AllActive))]
    public Task Setup1M() => SetupAsync(1_000_000);

    private async Task SetupAsync(int users)
    {
        _ids = BenchUsers.Ids(users);
        _sweep = 0;

        // First beats spread evenly over one offline window, as users who arrived over time.
        _store = await StoreFixture.CreateAsync(BenchStore.InMemory, _clock, "unused", o => o.OfflineAfter = OfflineAfter, async service =>
        {
            for (var second = 0; second < (int)OfflineAfter.TotalSeconds; second++)
            {
                _clock.Now = BenchUsers.Epoch + TimeSpan.FromSeconds(second);
                var slice = _ids.Where((_, i) => i % (int)OfflineAfter.TotalSeconds == second).ToArray();
                await Seeding.HeartbeatAllAsync(service, slice);
            }
        });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
    }

    [IterationSetup]
    public void EveryoneBeats()
    {
        _clock.Now = BenchUsers.Epoch + OfflineAfter + (++_sweep * SweepInterval);
        var service = _store!.Service;
        foreach (var id in _ids)
        {
            _ = service.HeartbeatAsync(id).AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public Task<int> Sweep_100k_AllActive() => SweepAsync();

    [Benchmark]
    public Task<int> Sweep_1M_AllActive() => SweepAsync();

    private async Task<int> SweepAsync()
    {
        var result = await _store!.Service.SweepOnceAsync();
        if (result.MarkedOffline != 0)
        {
            throw new InvalidOperationException($"The sweep marked {result.MarkedOffline} active users offline.");
        }

        return result.MarkedOffline;
    }
}
