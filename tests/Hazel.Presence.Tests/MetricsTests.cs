using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Hazel.Presence.Tests;

/// <summary>The Hazel.Presence meter.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Service_records_heartbeats_updates_transitions_and_sweep_duration()
    {
        await using var f = new PresenceFixture();
        var meterFactory = f.Provider.GetRequiredService<IMeterFactory>();
        using var heartbeats = new MetricCollector<long>(meterFactory, PresenceDiagnostics.MeterName, "hazel.presence.heartbeats");
        using var updates = new MetricCollector<long>(meterFactory, PresenceDiagnostics.MeterName, "hazel.presence.updates");
        using var offline = new MetricCollector<long>(meterFactory, PresenceDiagnostics.MeterName, "hazel.presence.marked_offline");
        using var expired = new MetricCollector<long>(meterFactory, PresenceDiagnostics.MeterName, "hazel.presence.statuses_expired");
        using var duration = new MetricCollector<double>(meterFactory, PresenceDiagnostics.MeterName, "hazel.presence.sweep.duration");

        await f.Presence.HeartbeatAsync("alice");
        await f.Presence.HeartbeatAsync("alice");
        await f.Presence.HeartbeatAsync("bob");
        await f.Presence.UpdateAsync("alice", new PresenceUpdate { CustomMessage = "x", StatusExpiresAt = f.Now.AddSeconds(1) });
        await f.Presence.ClearStatusAsync("bob");
        await f.Presence.UpdateAsync("carol", new PresenceUpdate { CustomMessage = "y", StatusExpiresAt = f.Now.AddSeconds(1) });
        f.AdvancePastOfflineTimeout();
        await f.Presence.SweepOnceAsync();

        Assert.Equal(3, heartbeats.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(3, updates.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(3, offline.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, expired.GetMeasurementSnapshot().EvaluateAsCounter());
        var sweep = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.True(sweep.Value >= 0);
        Assert.Equal("s", duration.Instrument!.Unit);
        Assert.Equal("{heartbeat}", heartbeats.Instrument!.Unit);
    }
}
