namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>
/// A clock the benchmark sets, forwards or back (FakeTimeProvider refuses to go back). Reading it is one
/// volatile load, so it does not distort what is measured. Timers and timestamps are the system's.
/// </summary>
public sealed class SettableTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Volatile.Read(ref _ticks), TimeSpan.Zero);
        set => Volatile.Write(ref _ticks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;
}
