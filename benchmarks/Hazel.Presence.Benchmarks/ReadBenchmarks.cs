using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Hazel.Presence.Benchmarks.Infrastructure;

namespace Hazel.Presence.Benchmarks;

/// <summary>
/// Scenario 4: reads on 100k users. A batch read of 500 users (<see cref="IPresenceService.GetManyAsync"/>) against
/// the baseline of 500 single reads (<see cref="IPresenceService.GetAsync"/> one after the other); and
/// <see cref="IPresenceService.GetActiveInChannelAsync"/> on a channel of 1,000 active users (about 9,000 more users
/// sit in 9 other channels) against the baseline of reading the same 1,000 users by id in one batch.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ReadBenchmarks
{
    private const int Users = 100_000;
    private const int BatchSize = 500;
    private const int ChannelSize = 1000;
    private const string Channel = "bench-channel";
    private static readonly DateTimeOffset FreshAt = BenchUsers.Epoch;

    private readonly SettableTimeProvider _clock = new(FreshAt);
    private StoreFixture? _store;
    private string[] _batch = [];
    private string[] _members = [];

    [Params(BenchStore.InMemory, BenchStore.Sqlite)]
    public BenchStore Store { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var ids = BenchUsers.Ids(Users);
        _batch = BenchUsers.Spread(Users, BatchSize, offset: 7).Select(i => ids[i]).ToArray();
        _members = BenchUsers.Spread(Users, ChannelSize).Select(i => ids[i]).ToArray();
        var memberSet = _members.ToHashSet(StringComparer.Ordinal);
        var others = BenchUsers.Spread(Users, 9 * ChannelSize, offset: 3).Select(i => ids[i]).Where(id => !memberSet.Contains(id)).ToArray();

        _store = await StoreFixture.CreateAsync(Store, _clock, "reads-100k", configure: null, async service =>
        {
            _clock.Now = FreshAt;
            await Seeding.HeartbeatAllAsync(service, ids);
            await Seeding.UpdateAllAsync(service, _members, _ => new PresenceUpdate { ActiveChannelId = Channel });
            await Seeding.UpdateAllAsync(service, others, i => new PresenceUpdate { ActiveChannelId = $"noise-channel-{i % 9}" });
        });

        // Read 10 s after the last write: everyone is online in the effective view.
        _clock.Now = FreshAt + TimeSpan.FromSeconds(10);
        var active = await _store.Service.GetActiveInChannelAsync(Channel);
        if (active.Count != ChannelSize)
        {
            throw new InvalidOperationException($"The channel has {active.Count} active users; expected {ChannelSize}.");
        }
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

    [BenchmarkCategory("BatchRead500")]
    [Benchmark(Baseline = true)]
    public async Task<int> GetAsync_500Singles()
    {
        var service = _store!.Service;
        var online = 0;
        foreach (var id in _batch)
        {
            var presence = await service.GetAsync(id);
            online += presence.Status == PresenceStatus.Online ? 1 : 0;
        }

        return online;
    }

    [BenchmarkCategory("BatchRead500")]
    [Benchmark]
    public async Task<int> GetManyAsync_500()
    {
        var result = await _store!.Service.GetManyAsync(_batch);
        return result.Count;
    }

    [BenchmarkCategory("Channel1000")]
    [Benchmark(Baseline = true)]
    public async Task<int> GetManyAsync_SameThousandById()
    {
        var result = await _store!.Service.GetManyAsync(_members);
        return result.Count;
    }

    [BenchmarkCategory("Channel1000")]
    [Benchmark]
    public async Task<int> GetActiveInChannelAsync_1000()
    {
        var result = await _store!.Service.GetActiveInChannelAsync(Channel);
        return result.Count;
    }
}
