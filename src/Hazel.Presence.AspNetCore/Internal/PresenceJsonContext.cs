using System.Text.Json;
using System.Text.Json.Serialization;
using Hazel.Presence.AspNetCore.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Hazel.Presence.AspNetCore.Internal;

/// <summary>
/// Source-generated JSON for everything the endpoints write. The endpoints use it rather than the host's
/// <c>JsonOptions</c>, so the wire contract does not change with the host's JSON settings and stays AOT-safe.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(WireDateJsonConverter)])]
[JsonSerializable(typeof(UserPresenceResponse))]
[JsonSerializable(typeof(UserPresenceResponse[]))]
[JsonSerializable(typeof(PresenceResultResponse))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(UpdatePresenceRequest))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(RpcPresenceResult))]
[JsonSerializable(typeof(RpcHeartbeatResult))]
internal sealed partial class PresenceJsonContext : JsonSerializerContext;

/// <summary>
/// The body of <c>PATCH /me</c>, for OpenAPI only: the endpoint reads the body itself so that a missing property
/// (keep) differs from null (clear).
/// </summary>
internal sealed record UpdatePresenceRequest(
    string? Status,
    string? CustomMessage,
    string? StatusEmoji,
    DateTimeOffset? StatusExpiresAt,
    string? ActiveChannelId,
    bool? SuppressNotifications);

/// <summary>Hazel's <c>UserPresenceStatus</c> schema: the REST record without <c>transactionId</c>.</summary>
internal sealed record RpcPresenceRecord(
    Guid Id,
    string UserId,
    string Status,
    string? CustomMessage,
    string? StatusEmoji,
    DateTimeOffset? StatusExpiresAt,
    string? ActiveChannelId,
    bool SuppressNotifications,
    DateTimeOffset UpdatedAt,
    DateTimeOffset LastSeenAt)
{
    public static RpcPresenceRecord From(UserPresence p) => new(
        p.Id, p.UserId, p.Status.ToWireName(), p.CustomMessage, p.StatusEmoji, p.StatusExpiresAt,
        p.ActiveChannelId, p.SuppressNotifications, p.UpdatedAt, p.LastSeenAt);
}

/// <summary>The success value of <c>update</c> and <c>clearStatus</c>.</summary>
internal sealed record RpcPresenceResult(RpcPresenceRecord Data, long TransactionId);

/// <summary>The success value of <c>heartbeat</c>.</summary>
internal sealed record RpcHeartbeatResult(DateTimeOffset LastSeenAt);
