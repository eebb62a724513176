using Hazel.Presence.Internal;
using Hazel.Presence.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hazel.Presence.Tests;

/// <summary>AddHazelPresence: idempotent registration, replaceable parts, start-up validation.</summary>
public sealed class RegistrationTests
{
    private static string Describe(ServiceDescriptor d) =>
        $"{d.ServiceType} {d.Lifetime} {d.ImplementationType?.ToString() ?? d.ImplementationInstance?.GetType().ToString() ?? "factory"}";

    [Fact]
    public void Adding_presence_twice_registers_every_descriptor_once()
    {
        var once = new ServiceCollection();
        once.AddHazelPresence();
        var twice = new ServiceCollection();
        twice.AddHazelPresence();
        twice.AddHazelPresence();

        Assert.Equal(once.Select(Describe).Order(), twice.Select(Describe).Order());
        Assert.Equal(twice.Count, twice.Select(Describe).Distinct().Count());
        Assert.Single(twice, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(twice, d => d.ServiceType == typeof(IPresenceService));
        Assert.Single(twice, d => d.ServiceType == typeof(IPresenceStore));
        Assert.Single(twice, d => d.ServiceType == typeof(IValidateOptions<PresenceOptions>));
    }

    [Fact]
    public async Task Adding_presence_twice_applies_both_configurations()
    {
        var services = new ServiceCollection();
        services.AddHazelPresence(o => o.OfflineAfter = TimeSpan.FromMinutes(5));
        services.AddHazelPresence(o => o.SweepInterval = TimeSpan.FromSeconds(30));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PresenceOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(5), options.OfflineAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), options.SweepInterval);
    }

    [Fact]
    public void Add_presence_returns_a_builder_on_the_same_services()
    {
        var services = new ServiceCollection();
        Assert.Same(services, services.AddHazelPresence().Services);
    }

    [Fact]
    public async Task Registered_time_provider_and_store_are_kept()
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time);
        services.AddSingleton<IPresenceStore>(sp => new InMemoryPresenceStore(sp.GetRequiredService<IPresenceChangeSink>()));
        var custom = services[^1];
        services.AddHazelPresence();
        await using var provider = services.BuildServiceProvider();

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.Same(custom, Assert.Single(services, d => d.ServiceType == typeof(IPresenceStore)));
    }

    [Fact]
    public async Task Default_registration_uses_the_system_clock_and_the_in_memory_store()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHazelPresence();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.IsType<InMemoryPresenceStore>(provider.GetRequiredService<IPresenceStore>());
        Assert.Same(provider.GetRequiredService<IPresenceChangeSink>(), provider.GetRequiredService<PresenceChangeFeed>());
    }

    public static TheoryData<string> BadOptions =>
    [
        nameof(PresenceOptions.OfflineAfter),
        nameof(PresenceOptions.SweepInterval),
        nameof(PresenceOptions.SweepBatchSize),
        nameof(PresenceOptions.MaxCustomMessageLength),
        nameof(PresenceOptions.MaxEmojiLength),
        nameof(PresenceOptions.MaxIdLength),
        nameof(PresenceOptions.WatchBufferSize),
    ];

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Host_start_fails_on_a_bad_option(string option)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHazelPresence(o =>
        {
            switch (option)
            {
                case nameof(PresenceOptions.OfflineAfter): o.OfflineAfter = TimeSpan.Zero; break;
                case nameof(PresenceOptions.SweepInterval): o.SweepInterval = o.OfflineAfter; break;
                case nameof(PresenceOptions.SweepBatchSize): o.SweepBatchSize = 0; break;
                case nameof(PresenceOptions.MaxCustomMessageLength): o.MaxCustomMessageLength = 0; break;
                case nameof(PresenceOptions.MaxEmojiLength): o.MaxEmojiLength = 1000; break;
                case nameof(PresenceOptions.MaxIdLength): o.MaxIdLength = -1; break;
                case nameof(PresenceOptions.WatchBufferSize): o.WatchBufferSize = 1; break;
            }
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_with_default_options_starts_and_stops_with_the_sweeper()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHazelPresence();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        var sweeper = host.Services.GetServices<IHostedService>().OfType<PresenceSweeperService>().Single();
        Assert.False(sweeper.ExecuteTask!.IsCompleted); // waiting on its PeriodicTimer
        await host.StopAsync(TestContext.Current.CancellationToken);

        // Canceled when stopped before the loop ran, completed when stopped while waiting; never faulted.
        Assert.True(sweeper.ExecuteTask.IsCompleted);
        Assert.False(sweeper.ExecuteTask.IsFaulted);
    }
}
