using Hazel.Presence.Storage;
using Hazel.Presence.Testing;

namespace Hazel.Presence.Sqlite.Tests;

public sealed class SqliteStoreConformanceTests : PresenceStoreConformanceTests
{
    private readonly TempDatabase _database = new();

    protected override bool IsDurable => true;

    protected override ValueTask<IPresenceStore> CreateStoreAsync(IPresenceChangeSink sink) => new(_database.OpenStore(sink));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}

public sealed class StoreCoverageTests
{
    [Fact]
    public async Task Every_store_in_the_sqlite_package_has_conformance_tests()
    {
        var untested = await PresenceStoreCoverage.FindUntestedStoresAsync(
            [typeof(SqlitePresenceOptions).Assembly],
            [typeof(SqliteStoreConformanceTests).Assembly]);
        Assert.Empty(untested);
    }
}
