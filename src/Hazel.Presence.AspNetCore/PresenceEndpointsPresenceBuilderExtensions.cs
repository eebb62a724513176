using Hazel.Presence;
using Hazel.Presence.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the presence endpoints.</summary>
public static class PresenceEndpointsPresenceBuilderExtensions
{
    /// <summary>
    /// Configures <see cref="PresenceEndpointOptions"/> for <c>MapHazelPresence</c> and <c>MapHazelPresenceRpc</c>
    /// (validated at start-up). Optional: without it the endpoints use the defaults.
    /// </summary>
    public static IPresenceBuilder AddPresenceEndpoints(this IPresenceBuilder builder, Action<PresenceEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<PresenceEndpointOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => o.StreamKeepAliveInterval > TimeSpan.Zero, "PresenceEndpointOptions.StreamKeepAliveInterval must be positive.")
            .Validate(o => o.UserIdResolver is not null || o.UserIdClaimTypes.Count > 0, "PresenceEndpointOptions needs at least one UserIdClaimTypes entry or a UserIdResolver.")
            .ValidateOnStart();
        return builder;
    }
}
