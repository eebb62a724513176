using Hazel.Presence;
using Hazel.Presence.Internal;
using Hazel.Presence.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the presence service.</summary>
public static class PresenceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IPresenceService"/> with the in-memory store (replace it with a store package, e.g.
    /// <c>.UseSqlite(...)</c>), the hosted sweeper and <see cref="TimeProvider.System"/> unless a
    /// <see cref="TimeProvider"/> is already registered. Options are validated at start-up. Calling it again adds
    /// only the extra <paramref name="configure"/>.
    /// </summary>
    public static IPresenceBuilder AddHazelPresence(this IServiceCollection services, Action<PresenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<PresenceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(PresenceMarkerService)))
        {
            services.AddSingleton<PresenceMarkerService>();
            options.ValidateOnStart();
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PresenceOptions>, PresenceOptionsValidator>());
        services.TryAddSingleton<PresenceMetrics>();
        services.TryAddSingleton<PresenceChangeFeed>();
        services.TryAddSingleton<IPresenceChangeSink>(sp => sp.GetRequiredService<PresenceChangeFeed>());
        services.TryAddSingleton<IPresenceStore>(sp => new InMemoryPresenceStore(
            sp.GetRequiredService<IPresenceChangeSink>(),
            InMemoryPresenceStore.StartupTransactionId(sp.GetRequiredService<TimeProvider>())));
        services.TryAddSingleton<IPresenceService, PresenceService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PresenceSweeperService>());
        return new PresenceBuilder(services);
    }

    private sealed class PresenceBuilder(IServiceCollection services) : IPresenceBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
