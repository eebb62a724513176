using System.Net.ServerSentEvents;
using Hazel.Presence;
using Hazel.Presence.AspNetCore;
using Hazel.Presence.AspNetCore.Contracts;
using Hazel.Presence.AspNetCore.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the presence endpoints.</summary>
public static class PresenceEndpointRouteBuilderExtensions
{
    private const string Tag = "Presence";

    /// <summary>
    /// Maps the presence REST and Server-Sent Events routes under <paramref name="prefix"/>: <c>PATCH /me</c>,
    /// <c>POST /me/heartbeat</c>, <c>DELETE /me/custom-status</c>, <c>GET /me</c>, <c>GET /users/{userId}</c>,
    /// <c>GET /users?ids=…</c>, <c>GET /channels/{channelId}</c> and <c>GET /stream?ids=…</c>. Every route requires an
    /// authenticated user whose id comes from the principal (see <see cref="PresenceEndpointOptions"/>).
    /// </summary>
    /// <returns>The route group, to add policies, rate limiting or CORS.</returns>
    public static RouteGroupBuilder MapHazelPresence(this IEndpointRouteBuilder endpoints, string prefix = "/presence")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var services = endpoints.ServiceProvider;
        var handlers = new PresenceRestEndpoints(
            RequirePresence(services),
            services.GetRequiredService<IOptions<PresenceEndpointOptions>>().Value,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            Logger(services),
            services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None);

        var group = endpoints.MapGroup(prefix);
        group.RequireAuthorization();
        group.WithTags(Tag);

        group.MapPatch("/me", (HttpContext context, CancellationToken cancellationToken) => handlers.UpdateAsync(context, cancellationToken))
            .WithName("HazelPresenceUpdate")
            .WithSummary("Update the caller's presence")
            .WithDescription("Merges the JSON body into the caller's record: a property left out keeps its value, null clears it (status and suppressNotifications cannot be null). Returns the record and the transaction id.")
            .Accepts<UpdatePresenceRequest>("application/json", "application/merge-patch+json")
            .Produces<PresenceResultResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .Produces(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

        group.MapPost("/me/heartbeat", (HttpContext context, CancellationToken cancellationToken) => handlers.HeartbeatAsync(context, cancellationToken))
            .WithName("HazelPresenceHeartbeat")
            .WithSummary("Record that the caller is active")
            .WithDescription("Moves the caller's lastSeenAt to now (creating an online record when none exists) and returns it.")
            .Produces<HeartbeatResponse>()
            .ProducesCommon();

        group.MapDelete("/me/custom-status", (HttpContext context, CancellationToken cancellationToken) => handlers.ClearStatusAsync(context, cancellationToken))
            .WithName("HazelPresenceClearStatus")
            .WithSummary("Clear the caller's custom status")
            .WithDescription("Clears customMessage, statusEmoji and statusExpiresAt and resets suppressNotifications; keeps status and activeChannelId.")
            .Produces<PresenceResultResponse>()
            .ProducesCommon();

        group.MapGet("/me", (HttpContext context, CancellationToken cancellationToken) => handlers.GetMeAsync(context, cancellationToken))
            .WithName("HazelPresenceGetMe")
            .WithSummary("Get the caller's presence")
            .Produces<UserPresenceResponse>()
            .ProducesCommon();

        group.MapGet("/users/{userId}", (string userId, HttpContext context, CancellationToken cancellationToken) => handlers.GetUserAsync(userId, context, cancellationToken))
            .WithName("HazelPresenceGetUser")
            .WithSummary("Get a user's presence")
            .WithDescription("A user without a record reads as offline with an all-zero id.")
            .Produces<UserPresenceResponse>()
            .ProducesCommon();

        group.MapGet("/users", (string[]? ids, HttpContext context, CancellationToken cancellationToken) => handlers.GetUsersAsync(ids, context, cancellationToken))
            .WithName("HazelPresenceGetUsers")
            .WithSummary("Get the presence of several users")
            .WithDescription("Ids as repeated query parameters (?ids=a&ids=b), at most 1,000; records in the order asked.")
            .Produces<UserPresenceResponse[]>()
            .ProducesCommon();

        group.MapGet("/channels/{channelId}", (string channelId, HttpContext context, CancellationToken cancellationToken) => handlers.GetChannelAsync(channelId, context, cancellationToken))
            .WithName("HazelPresenceGetChannel")
            .WithSummary("Get the users active in a channel")
            .WithDescription("Users whose activeChannelId is the channel and who are not offline.")
            .Produces<UserPresenceResponse[]>()
            .ProducesCommon();

        group.MapGet("/stream", (string[]? ids, HttpContext context, CancellationToken cancellationToken) => handlers.StreamAsync(ids, context, cancellationToken))
            .WithName("HazelPresenceStream")
            .WithSummary("Stream presence changes (Server-Sent Events)")
            .WithDescription("One 'presence' event per committed change of the given users (all users without ids); the event id is the transaction id and the data the record. Reconnecting with Last-Event-ID first sends what changed since. Idle streams get comment keep-alives.")
            .Produces<SseItem<UserPresenceResponse>>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesCommon();

        return group;
    }

    /// <summary>
    /// Maps the Effect RPC endpoint (HTTP + NDJSON) that Hazel Chat's web client speaks, serving
    /// <c>userPresenceStatus.update</c>, <c>.heartbeat</c> and <c>.clearStatus</c> at <c>POST {path}</c> and
    /// <c>POST {path}/</c>. The endpoint allows anonymous HTTP requests: each message's bearer token (from its
    /// <c>headers</c>, else the HTTP <c>Authorization</c> header) is authenticated with the host's default
    /// authenticate scheme or <see cref="PresenceEndpointOptions.RpcAuthenticationScheme"/>.
    /// </summary>
    /// <returns>The endpoint's convention builder.</returns>
    public static RouteHandlerBuilder MapHazelPresenceRpc(this IEndpointRouteBuilder endpoints, string path = "/rpc")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(path);
        var services = endpoints.ServiceProvider;
        var schemes = services.GetService<IAuthenticationSchemeProvider>()
            ?? throw new InvalidOperationException("MapHazelPresenceRpc authenticates each message with the host's authentication: call services.AddAuthentication(...) first.");
        var rpc = new PresenceRpcEndpoint(
            RequirePresence(services),
            services.GetRequiredService<IOptions<PresenceEndpointOptions>>().Value,
            services.GetRequiredService<IServiceScopeFactory>(),
            schemes,
            Logger(services));

        return endpoints.MapPost(path, (HttpContext context, CancellationToken cancellationToken) => rpc.HandleAsync(context, cancellationToken))
            .AllowAnonymous()
            .WithName("HazelPresenceRpc")
            .WithTags(Tag)
            .WithSummary("Effect RPC (HTTP + NDJSON) for userPresenceStatus.update, .heartbeat and .clearStatus")
            .WithDescription("One JSON message per line in (application/x-ndjson or application/ndjson; like Effect, any content type is read), one per line out. Answers 200 for every RPC outcome, including typed failures.")
            .Produces<string>(StatusCodes.Status200OK, "application/x-ndjson");
    }

    private static RouteHandlerBuilder ProducesCommon(this RouteHandlerBuilder builder) =>
        builder
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

    private static IPresenceService RequirePresence(IServiceProvider services) =>
        services.GetService<IPresenceService>()
        ?? throw new InvalidOperationException("No presence service is registered: call services.AddHazelPresence() before mapping the presence endpoints.");

    private static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger("Hazel.Presence.AspNetCore") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
}
