using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hazel.Presence.SampleHost;

/// <summary>Healthy when the presence store answers a read.</summary>
internal sealed class PresenceStoreHealthCheck(IPresenceService presence) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await presence.GetAsync("health-check", cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The presence store did not answer.", ex);
        }
    }
}
