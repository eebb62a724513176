using System.Security.Claims;

namespace Hazel.Presence.AspNetCore;

/// <summary>
/// Options of the presence endpoints (<c>MapHazelPresence</c> and <c>MapHazelPresenceRpc</c>). Configure them with
/// <c>AddPresenceEndpoints(o => ...)</c>; without it the defaults apply.
/// </summary>
public sealed class PresenceEndpointOptions
{
    /// <summary>The claim types tried, in order, for the user id of an authenticated principal.</summary>
    /// <value>Default <c>sub</c>, then <see cref="ClaimTypes.NameIdentifier"/>.</value>
    public IList<string> UserIdClaimTypes { get; } = ["sub", ClaimTypes.NameIdentifier];

    /// <summary>
    /// Computes the user id from an authenticated principal instead of <see cref="UserIdClaimTypes"/>;
    /// return null or empty when the principal has no usable id (the request then gets 401).
    /// </summary>
    /// <value>Default null (use <see cref="UserIdClaimTypes"/>).</value>
    public Func<ClaimsPrincipal, string?>? UserIdResolver { get; set; }

    /// <summary>How often an idle Server-Sent Events stream gets a comment line, so proxies keep it open.</summary>
    /// <value>Default 15 seconds. Must be positive.</value>
    public TimeSpan StreamKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The authentication scheme that authenticates the bearer token of each RPC message.
    /// </summary>
    /// <value>Default null: the host's default authenticate scheme.</value>
    public string? RpcAuthenticationScheme { get; set; }
}
