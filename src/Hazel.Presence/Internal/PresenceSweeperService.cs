using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hazel.Presence.Internal;

/// <summary>The hosted loop around <see cref="IPresenceService.SweepOnceAsync"/>.</summary>
internal sealed class PresenceSweeperService(
    IPresenceService presence,
    TimeProvider time,
    IOptions<PresenceOptions> options,
    ILogger<PresenceSweeperService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.RunSweeper)
        {
            Log.SweeperDisabled(logger);
            return;
        }

        Log.SweeperStarted(logger, settings.SweepInterval, settings.OfflineAfter);
        using var timer = new PeriodicTimer(settings.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await presence.SweepOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // One failed tick must not stop offline detection.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.SweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown: end quietly rather than as a cancelled task.
        }
    }
}
