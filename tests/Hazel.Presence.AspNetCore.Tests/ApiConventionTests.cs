using Hazel.Presence.AspNetCore;

namespace Hazel.Presence.AspNetCore.Tests;

public sealed class ApiConventionTests
{
    private static readonly Type[] PublicTypes = typeof(PresenceEndpointOptions).Assembly.GetExportedTypes();

    [Fact]
    public void Public_classes_are_sealed_or_static()
    {
        Assert.All(PublicTypes.Where(t => t.IsClass), t => Assert.True(t.IsSealed, $"{t} is neither sealed nor static"));
    }

    [Fact]
    public void The_public_surface_is_the_options_the_contracts_and_the_extension_methods()
    {
        Assert.Equal(
            [
                "Hazel.Presence.AspNetCore.Contracts.HeartbeatResponse",
                "Hazel.Presence.AspNetCore.Contracts.PresenceResultResponse",
                "Hazel.Presence.AspNetCore.Contracts.UserPresenceResponse",
                "Hazel.Presence.AspNetCore.PresenceEndpointOptions",
                "Microsoft.AspNetCore.Builder.PresenceEndpointRouteBuilderExtensions",
                "Microsoft.Extensions.DependencyInjection.PresenceEndpointsPresenceBuilderExtensions",
            ],
            PublicTypes.Select(t => t.FullName).Order(StringComparer.Ordinal));
    }
}
