using Microsoft.Extensions.DependencyInjection;

namespace Hazel.Presence;

/// <summary>Returned by <c>AddHazelPresence</c>; store packages extend it (e.g. <c>UseSqlite</c>).</summary>
public interface IPresenceBuilder
{
    /// <summary>The service collection presence was added to.</summary>
    IServiceCollection Services { get; }
}
