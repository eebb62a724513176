using System.Reflection;
using Hazel.Presence.Storage;

namespace Hazel.Presence.Testing;

/// <summary>Finds stores that escape the conformance suite.</summary>
public static class PresenceStoreCoverage
{
    /// <summary>
    /// The concrete <see cref="IPresenceStore"/> implementations in <paramref name="storeAssemblies"/> that no
    /// concrete subclass of <see cref="PresenceStoreConformanceTests"/> in <paramref name="testAssemblies"/> tests.
    /// Each subclass is instantiated and opens one store, to learn which store it tests.
    /// </summary>
    public static async Task<IReadOnlyList<Type>> FindUntestedStoresAsync(IEnumerable<Assembly> storeAssemblies, IEnumerable<Assembly> testAssemblies)
    {
        var stores = storeAssemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IPresenceStore).IsAssignableFrom(t))
            .ToHashSet();
        var suites = testAssemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && typeof(PresenceStoreConformanceTests).IsAssignableFrom(t));
        foreach (var suite in suites)
        {
            var tests = (PresenceStoreConformanceTests)Activator.CreateInstance(suite)!;
            try
            {
                await tests.InitializeAsync();
                stores.Remove(await tests.GetStoreTypeAsync());
            }
            finally
            {
                await tests.DisposeAsync();
            }
        }

        return [.. stores.OrderBy(s => s.FullName, StringComparer.Ordinal)];
    }
}
