using Hazel.Presence.Internal;
using Hazel.Presence.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hazel.Presence.Tests;

/// <summary>A service provider with the presence service on a <see cref="FakeTimeProvider"/>; the hosted sweeper is off.</summary>
internal sealed class PresenceFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    public PresenceFixture(Action<PresenceOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection().AddLogging().AddMetrics().AddSingleton<TimeProvider>(Time);
        services?.Invoke(collection);
        collection.AddHazelPresence(o =>
        {
            o.RunSweeper = false;
            configure?.Invoke(o);
        });
        Provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Presence = Provider.GetRequiredService<IPresenceService>();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public ServiceProvider Provider { get; }

    public IPresenceService Presence { get; }

    public PresenceOptions Options => Provider.GetRequiredService<IOptions<PresenceOptions>>().Value;

    public InMemoryPresenceStore Store => (InMemoryPresenceStore)Provider.GetRequiredService<IPresenceStore>();

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Moves the clock past the offline timeout, so everyone last seen before now reads as stale.</summary>
    public void AdvancePastOfflineTimeout() => Time.Advance(Options.OfflineAfter + TimeSpan.FromSeconds(1));

    /// <summary>A user id unique to one test.</summary>
    public static string NewUserId() => "user-" + Guid.NewGuid().ToString("N");

    public ValueTask DisposeAsync() => Provider.DisposeAsync();
}
