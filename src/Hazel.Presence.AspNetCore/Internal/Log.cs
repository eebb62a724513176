using Microsoft.Extensions.Logging;

namespace Hazel.Presence.AspNetCore.Internal;

internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Error, "Presence endpoint {Method} {Path} failed; answered 500 with trace id {TraceId}.")]
    public static partial void EndpointFailed(ILogger logger, string method, string path, string traceId, Exception exception);

    [LoggerMessage(201, LogLevel.Warning, "The authenticated principal has no usable user id (claim types tried: {ClaimTypes}); answered 401.")]
    public static partial void NoUserId(ILogger logger, string claimTypes);

    [LoggerMessage(202, LogLevel.Information, "A presence stream fell behind and was ended after transaction {LastTransactionId}; the client resumes with Last-Event-ID.")]
    public static partial void StreamOverflow(ILogger logger, long lastTransactionId);

    [LoggerMessage(203, LogLevel.Error, "Presence RPC {Tag} failed; answered InternalServerError.")]
    public static partial void RpcFailed(ILogger logger, string tag, Exception exception);

    [LoggerMessage(204, LogLevel.Debug, "Presence RPC message rejected: {Reason}.")]
    public static partial void RpcRejected(ILogger logger, string reason);

    [LoggerMessage(205, LogLevel.Error, "Presence RPC cannot authenticate messages: no authentication scheme. Set PresenceEndpointOptions.RpcAuthenticationScheme or a default authenticate scheme.")]
    public static partial void RpcNoScheme(ILogger logger);

    [LoggerMessage(206, LogLevel.Error, "A presence stream failed while reading changes and was ended; the client resumes with Last-Event-ID.")]
    public static partial void StreamFailed(ILogger logger, Exception exception);

    [LoggerMessage(207, LogLevel.Information, "Presence endpoint {Method} {Path} could not read the request body; answered {StatusCode}.")]
    public static partial void BadRequestBody(ILogger logger, string method, string path, int statusCode, Exception exception);
}
