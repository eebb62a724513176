using System.Diagnostics.Metrics;

namespace Hazel.Presence.Internal;

internal sealed class PresenceMetrics : IDisposable
{
    private readonly Meter _meter;

    public PresenceMetrics(IServiceProvider services)
    {
        // IMeterFactory is registered by hosts (AddMetrics); a bare ServiceCollection may lack it.
        var factory = services.GetService(typeof(IMeterFactory)) as IMeterFactory;
        _meter = factory?.Create(PresenceDiagnostics.MeterName) ?? new Meter(PresenceDiagnostics.MeterName);
        Heartbeats = _meter.CreateCounter<long>("hazel.presence.heartbeats", "{heartbeat}", "Heartbeats received.");
        Updates = _meter.CreateCounter<long>("hazel.presence.updates", "{update}", "Presence updates and status clears committed.");
        MarkedOffline = _meter.CreateCounter<long>("hazel.presence.marked_offline", "{user}", "Users marked offline by the sweeper.");
        StatusesExpired = _meter.CreateCounter<long>("hazel.presence.statuses_expired", "{status}", "Custom statuses cleared at their expiry.");
        SweepDuration = _meter.CreateHistogram<double>("hazel.presence.sweep.duration", "s", "Duration of one sweep.");
    }

    public Counter<long> Heartbeats { get; }

    public Counter<long> Updates { get; }

    public Counter<long> MarkedOffline { get; }

    public Counter<long> StatusesExpired { get; }

    public Histogram<double> SweepDuration { get; }

    public void Dispose() => _meter.Dispose();
}
