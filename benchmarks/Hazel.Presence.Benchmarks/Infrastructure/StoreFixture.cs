using Hazel.Presence.Sqlite;

namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>
/// A seeded presence service on the chosen store. The in-memory store is seeded in place; a SQLite store is a
/// private copy of a template database that was seeded once through the same service calls and is cached
/// between runs (see <see cref="SqliteTemplates"/>).
/// </summary>
public sealed class StoreFixture : IAsyncDisposable
{
    private readonly PresenceFixture _fixture;
    private readonly string? _directory;

    private StoreFixture(PresenceFixture fixture, string? directory)
    {
        _fixture = fixture;
        _directory = directory;
    }

    public IPresenceService Service => _fixture.Service;

    public static async Task<StoreFixture> CreateAsync(
        BenchStore store,
        SettableTimeProvider clock,
        string dataSetName,
        Action<PresenceOptions>? configure,
        Func<IPresenceService, Task> seed,
        SqliteDurability durability = SqliteDurability.Full,
        TimeProvider? serviceTime = null)
    {
        if (store == BenchStore.InMemory)
        {
            var memory = new PresenceFixture(serviceTime ?? clock, null, configure);
            await seed(memory.Service);
            return new StoreFixture(memory, null);
        }

        var template = await SqliteTemplates.GetOrCreateAsync(dataSetName, clock, seed);
        var directory = Directory.CreateTempSubdirectory("hazel-presence-bench-").FullName;
        var path = Path.Combine(directory, "presence.db");
        File.Copy(template, path);
        var fixture = new PresenceFixture(serviceTime ?? clock, b => SqliteTemplates.UseSqlite(b, path, durability), configure);
        return new StoreFixture(fixture, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await _fixture.DisposeAsync();
        if (_directory is not null)
        {
            SqliteTemplates.ClearPools();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
