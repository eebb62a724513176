using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Hazel.Presence.AspNetCore.Internal;

/// <summary>
/// The Effect RPC endpoint (HTTP + NDJSON) for <c>userPresenceStatus.update</c>, <c>.heartbeat</c> and
/// <c>.clearStatus</c>, byte-compatible with what Effect's <c>RpcServer</c> answers Hazel's client
/// (see docs/endpoints.md). Every message carries its own bearer token, so each is authenticated on its own.
/// </summary>
internal sealed class PresenceRpcEndpoint(
    IPresenceService presence,
    PresenceEndpointOptions options,
    IServiceScopeFactory scopeFactory,
    IAuthenticationSchemeProvider schemes,
    ILogger logger)
{
    public const int MaxBodyBytes = 1024 * 1024;

    private const string UpdateTag = "userPresenceStatus.update";
    private const string HeartbeatTag = "userPresenceStatus.heartbeat";
    private const string ClearStatusTag = "userPresenceStatus.clearStatus";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    private readonly PresenceUserIds _userIds = new(options);

    public async Task HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var body = await HttpBodies.ReadAsync(context.Request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;

        // Answer in the dialect of the client: beta.57 sends application/ndjson, 4.1.0 application/x-ndjson.
        context.Response.ContentType = context.Request.ContentType?.StartsWith("application/ndjson", StringComparison.OrdinalIgnoreCase) == true
            ? "application/ndjson"
            : "application/x-ndjson";

        var output = context.Response.BodyWriter;
        var rest = body.AsMemory();
        while (true)
        {
            // Like Effect's NDJSON parser: one message per \n-terminated line; a final line without \n is never read.
            var newline = rest.Span.IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var line = rest[..newline];
            rest = rest[(newline + 1)..];
            if (line.Span is [.., (byte)'\r'])
            {
                line = line[..^1];
            }

            if (line.Span.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            try
            {
                await HandleLineAsync(context, line, output, cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // the client went away
            }
        }
    }

    private async Task HandleLineAsync(HttpContext context, ReadOnlyMemory<byte> line, PipeWriter output, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException)
        {
            Log.RpcRejected(logger, "a line is not JSON");
            WriteDefect(output, static w =>
            {
                w.WriteStartObject();
                w.WriteString("name", "NdjsonDecodeError");
                w.WriteString("message", "");
                w.WriteStartObject("cause");
                w.WriteString("name", "SyntaxError");
                w.WriteString("message", "The line is not valid JSON");
                w.WriteEndObject();
                w.WriteEndObject();
            });
            return;
        }

        using (document)
        {
            var message = document.RootElement;
            var kind = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("_tag", out var tagElement) && tagElement.ValueKind == JsonValueKind.String
                ? tagElement.GetString()
                : null;
            switch (kind)
            {
                case "Request":
                    break;
                case "Ping":
                    WriteLine(output, static w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("_tag", "Pong");
                        w.WriteEndObject();
                    });
                    return;
                case "Eof" or "Ack" or "Interrupt":
                    // Client-to-server control messages mean nothing for one-shot HTTP requests; Effect ignores them too.
                    return;
                default:
                    Log.RpcRejected(logger, "a line is not a Request");
                    WriteDefect(output, "Unknown request tag: " + (StringProperty(message, "tag") ?? "undefined"));
                    return;
            }

            if (!message.TryGetProperty("id", out var id) || id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                // No id to answer to: a top-level Defect is the only possible answer.
                Log.RpcRejected(logger, "a Request has no usable id");
                WriteDefect(output, "Invalid request id: " + (message.TryGetProperty("id", out var bad) ? bad.GetRawText() : "undefined"));
                return;
            }

            // The id goes back verbatim, with its JSON type: the 4.1.0 client matches numbers, beta.57 strings.
            var requestId = JsonMarshal.GetRawUtf8Value(id).ToArray();
            await HandleRequestAsync(context, message, requestId, output, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleRequestAsync(HttpContext context, JsonElement message, byte[] requestId, PipeWriter output, CancellationToken cancellationToken)
    {
        var tag = StringProperty(message, "tag");
        if (tag is not (UpdateTag or HeartbeatTag or ClearStatusTag))
        {
            WriteDie(output, requestId, "Unknown request tag: " + (tag ?? "undefined"));
            return;
        }

        if (!message.TryGetProperty("payload", out var payload) || payload.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            WriteDie(output, requestId, "Expected object | array");
            return;
        }

        PresenceUpdate? update = null;
        if (tag == UpdateTag)
        {
            update = RpcPayloadReader.ReadUpdate(payload, out var decodeError);
            if (update is null)
            {
                WriteDie(output, requestId, decodeError!);
                return;
            }
        }

        var authorization = MessageAuthorization(message) ?? context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(authorization))
        {
            WriteUnauthorized(output, requestId, "Bearer token required");
            return;
        }

        ClaimsPrincipal? principal;
        try
        {
            principal = await AuthenticateAsync(context, authorization, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Host misconfiguration (e.g. no scheme) or a failing handler: the client sees a typed failure, the log why.
            Log.RpcFailed(logger, tag, ex);
            WriteInternalError(output, requestId, "Authentication is not available");
            return;
        }

        var userId = _userIds.Resolve(principal);
        if (userId is null)
        {
            WriteUnauthorized(output, requestId, principal is null ? "Invalid bearer token" : "The token has no user id");
            return;
        }

        try
        {
            switch (tag)
            {
                case UpdateTag:
                    var updated = await presence.UpdateAsync(userId, update!, cancellationToken).ConfigureAwait(false);
                    WriteSuccess(output, requestId, w => JsonSerializer.Serialize(w, ToRpc(updated), PresenceJsonContext.Default.RpcPresenceResult));
                    break;
                case HeartbeatTag:
                    var lastSeenAt = await presence.HeartbeatAsync(userId, cancellationToken).ConfigureAwait(false);
                    WriteSuccess(output, requestId, w => JsonSerializer.Serialize(w, new RpcHeartbeatResult(lastSeenAt), PresenceJsonContext.Default.RpcHeartbeatResult));
                    break;
                default:
                    var cleared = await presence.ClearStatusAsync(userId, cancellationToken).ConfigureAwait(false);
                    WriteSuccess(output, requestId, w => JsonSerializer.Serialize(w, ToRpc(cleared), PresenceJsonContext.Default.RpcPresenceResult));
                    break;
            }
        }
        catch (PresenceValidationException ex)
        {
            // Effect rejects bad input while decoding the payload, which the client sees as a Die naming the field.
            WriteDie(output, requestId, RpcPayloadReader.Describe(ex));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the client went away; HandleAsync stops reading
        }
#pragma warning disable CA1031 // A store failure is the typed InternalServerError of the RPC, never a crash of the stream.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RpcFailed(logger, tag, ex);
            WriteInternalError(output, requestId, tag switch
            {
                UpdateTag => "Error updating UserPresenceStatus",
                HeartbeatTag => "Error recording heartbeat",
                _ => "Error clearing custom status",
            });
        }
    }

    /// <summary>
    /// Authenticates the message's token with the host's scheme on a fresh <see cref="HttpContext"/> in its own
    /// service scope: handlers cache their result per request, so re-authenticating the HTTP request would only
    /// return its (anonymous) first result.
    /// </summary>
    private async Task<ClaimsPrincipal?> AuthenticateAsync(HttpContext context, string authorization, CancellationToken cancellationToken)
    {
        var scheme = options.RpcAuthenticationScheme ?? (await schemes.GetDefaultAuthenticateSchemeAsync().ConfigureAwait(false))?.Name;
        if (scheme is null)
        {
            Log.RpcNoScheme(logger);
            throw new InvalidOperationException("No authentication scheme for presence RPC messages.");
        }

        var scope = scopeFactory.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var fresh = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = cancellationToken };
            var source = context.Request;
            var request = fresh.Request;
            request.Method = source.Method;
            request.Scheme = source.Scheme;
            request.Host = source.Host;
            request.PathBase = source.PathBase;
            request.Path = source.Path;
            request.Protocol = source.Protocol;
            fresh.Connection.RemoteIpAddress = context.Connection.RemoteIpAddress;
            fresh.Connection.RemotePort = context.Connection.RemotePort;
            fresh.TraceIdentifier = context.TraceIdentifier;

            // Like Effect: the HTTP headers, then the message's headers, later entries winning. Except cookies on a
            // request a browser may send cross-site without a preflight: with a cookie scheme they would let any
            // site act as the signed-in user. Such requests authenticate by their token alone.
            var forwardCookies = !IsCorsSafelisted(source.ContentType);
            foreach (var header in source.Headers)
            {
                if (forwardCookies || !string.Equals(header.Key, HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers[header.Key] = header.Value;
                }
            }

            request.Headers.Authorization = authorization;
            var result = await fresh.AuthenticateAsync(scheme).ConfigureAwait(false);
            return result.Succeeded ? result.Principal : null;
        }
    }

    /// <summary>
    /// Whether a browser may send this content type in a cross-site POST without a CORS preflight (none, or one of
    /// the three "simple" types). The Effect clients send <c>application/(x-)ndjson</c>, which needs a preflight.
    /// </summary>
    private static bool IsCorsSafelisted(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        var mediaType = contentType.AsSpan();
        var parameters = mediaType.IndexOf(';');
        if (parameters >= 0)
        {
            mediaType = mediaType[..parameters];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The last <c>authorization</c> entry of the message's <c>headers</c> (<c>[[name, value], ...]</c>), or null.</summary>
    private static string? MessageAuthorization(JsonElement message)
    {
        // A message without a headers array is treated as one without headers (Effect answers it with a top-level
        // Defect, which would break a beta.57 client for good).
        if (!message.TryGetProperty("headers", out var headers) || headers.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        string? authorization = null;
        foreach (var pair in headers.EnumerateArray())
        {
            if (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
                && pair[0].ValueKind == JsonValueKind.String && pair[1].ValueKind == JsonValueKind.String
                && string.Equals(pair[0].GetString(), "authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorization = pair[1].GetString();
            }
        }

        return authorization;
    }

    private static RpcPresenceResult ToRpc(PresenceResult result) => new(RpcPresenceRecord.From(result.Data), result.TransactionId);

    private static string? StringProperty(JsonElement message, string name) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static void WriteSuccess(PipeWriter output, byte[] requestId, Action<Utf8JsonWriter> writeValue) =>
        WriteExit(output, requestId, w =>
        {
            w.WriteString("_tag", "Success");
            w.WritePropertyName("value");
            writeValue(w);
        });

    private static void WriteUnauthorized(PipeWriter output, byte[] requestId, string detail) =>
        WriteFail(output, requestId, w =>
        {
            w.WriteString("_tag", "UnauthorizedError");
            w.WriteString("message", "Unauthorized");
            w.WriteString("detail", detail);
        });

    private static void WriteInternalError(PipeWriter output, byte[] requestId, string message) =>
        WriteFail(output, requestId, w =>
        {
            w.WriteString("_tag", "InternalServerError");
            w.WriteString("message", message);
        });

    private static void WriteFail(PipeWriter output, byte[] requestId, Action<Utf8JsonWriter> writeError) =>
        WriteExit(output, requestId, w =>
        {
            w.WriteString("_tag", "Failure");
            w.WriteStartArray("cause");
            w.WriteStartObject();
            w.WriteString("_tag", "Fail");
            w.WriteStartObject("error");
            writeError(w);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });

    private static void WriteDie(PipeWriter output, byte[] requestId, string defect) =>
        WriteExit(output, requestId, w =>
        {
            w.WriteString("_tag", "Failure");
            w.WriteStartArray("cause");
            w.WriteStartObject();
            w.WriteString("_tag", "Die");
            w.WriteString("defect", defect);
            w.WriteEndObject();
            w.WriteEndArray();
        });

    private static void WriteExit(PipeWriter output, byte[] requestId, Action<Utf8JsonWriter> writeExit) =>
        WriteLine(output, w =>
        {
            w.WriteStartObject();
            w.WriteString("_tag", "Exit");
            w.WritePropertyName("requestId");
            w.WriteRawValue(requestId, skipInputValidation: true);
            w.WriteStartObject("exit");
            writeExit(w);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private static void WriteDefect(PipeWriter output, string defect) =>
        WriteDefect(output, w => w.WriteStringValue(defect));

    private static void WriteDefect(PipeWriter output, Action<Utf8JsonWriter> writeDefect) =>
        WriteLine(output, w =>
        {
            w.WriteStartObject();
            w.WriteString("_tag", "Defect");
            w.WritePropertyName("defect");
            writeDefect(w);
            w.WriteEndObject();
        });

    private static void WriteLine(PipeWriter output, Action<Utf8JsonWriter> write)
    {
        using (var writer = new Utf8JsonWriter((IBufferWriter<byte>)output, WriterOptions))
        {
            write(writer);
        }

        output.Write("\n"u8);
    }
}
