using Microsoft.Extensions.Logging;

namespace Hazel.Presence.Internal;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Presence sweep failed; the sweeper continues on the next tick.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "Presence sweep marked {MarkedOffline} users offline and expired {StatusesExpired} custom statuses in {ElapsedMilliseconds} ms.")]
    public static partial void SweepCompleted(ILogger logger, int markedOffline, int statusesExpired, double elapsedMilliseconds);

    [LoggerMessage(3, LogLevel.Information, "Presence sweeper started: every {SweepInterval}, offline after {OfflineAfter}.")]
    public static partial void SweeperStarted(ILogger logger, TimeSpan sweepInterval, TimeSpan offlineAfter);

    [LoggerMessage(4, LogLevel.Information, "Presence sweeper is off (RunSweeper = false); call IPresenceService.SweepOnceAsync from your own scheduler.")]
    public static partial void SweeperDisabled(ILogger logger);

    [LoggerMessage(5, LogLevel.Warning, "A presence watcher fell {Behind} changes behind and was dropped.")]
    public static partial void WatcherOverflow(ILogger logger, long behind);
}
