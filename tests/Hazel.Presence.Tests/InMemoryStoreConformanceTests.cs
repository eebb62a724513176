using Hazel.Presence.Internal;
using Hazel.Presence.Storage;
using Hazel.Presence.Testing;

namespace Hazel.Presence.Tests;

public sealed class InMemoryStoreConformanceTests : PresenceStoreConformanceTests
{
    protected override ValueTask<IPresenceStore> CreateStoreAsync(IPresenceChangeSink sink) => new(new InMemoryPresenceStore(sink));
}

public sealed class StoreCoverageTests
{
    [Fact]
    public async Task Every_store_in_the_core_package_has_conformance_tests()
    {
        var untested = await PresenceStoreCoverage.FindUntestedStoresAsync(
            [typeof(PresenceOptions).Assembly],
            [typeof(InMemoryStoreConformanceTests).Assembly]);
        Assert.Empty(untested);
    }
}
