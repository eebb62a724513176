using System.Security.Claims;

namespace Hazel.Presence.AspNetCore.Internal;

/// <summary>Finds the user id of a principal, as <see cref="PresenceEndpointOptions"/> says.</summary>
internal sealed class PresenceUserIds(PresenceEndpointOptions options)
{
    public string Describe() => options.UserIdResolver is not null ? "custom resolver" : string.Join(", ", options.UserIdClaimTypes);

    /// <summary>The user id, or null when the principal is not authenticated or has no usable id.</summary>
    public string? Resolve(ClaimsPrincipal? principal)
    {
        if (principal is null || !principal.Identities.Any(i => i.IsAuthenticated))
        {
            return null;
        }

        if (options.UserIdResolver is { } resolve)
        {
            var id = resolve(principal);
            return string.IsNullOrWhiteSpace(id) ? null : id;
        }

        foreach (var type in options.UserIdClaimTypes)
        {
            var value = principal.FindFirst(type)?.Value;
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return null;
    }
}
