using Microsoft.Extensions.DependencyInjection;

namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>
/// The service as an app gets it: <c>AddHazelPresence(...)</c> on a service collection, the store picked by
/// the constructor's configureStore (in-memory when null). The hosted sweeper is never started: benchmarks call
/// <see cref="IPresenceService.SweepOnceAsync"/> themselves.
/// </summary>
public sealed class PresenceFixture : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public PresenceFixture(TimeProvider time, Action<IPresenceBuilder>? configureStore = null, Action<PresenceOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton(time);
        var builder = services.AddHazelPresence(o =>
        {
            o.RunSweeper = false;
            configure?.Invoke(o);
        });
        configureStore?.Invoke(builder);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        Service = _provider.GetRequiredService<IPresenceService>();
    }

    public IPresenceService Service { get; }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
