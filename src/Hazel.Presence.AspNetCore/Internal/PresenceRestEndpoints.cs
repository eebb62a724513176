using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Hazel.Presence.AspNetCore.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hazel.Presence.AspNetCore.Internal;

/// <summary>The handlers behind <c>MapHazelPresence</c>.</summary>
internal sealed class PresenceRestEndpoints(
    IPresenceService presence,
    PresenceEndpointOptions options,
    TimeProvider time,
    ILogger logger,
    CancellationToken stopping)
{
    public const int MaxIds = 1000;
    public const int MaxBodyBytes = 16 * 1024;

    private static readonly byte[] OpenComment = ": stream open\n\n"u8.ToArray();
    private static readonly byte[] KeepAliveComment = ": keep-alive\n\n"u8.ToArray();

    private readonly PresenceUserIds _userIds = new(options);

    public Task<IResult> UpdateAsync(HttpContext context, CancellationToken cancellationToken) =>
        RunAsync(context, async userId =>
        {
            // The endpoint's Accepts metadata already answered 415 to anything but JSON.
            var body = await HttpBodies.ReadAsync(context.Request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                return PresenceResults.TooLarge(MaxBodyBytes);
            }

            var update = PresencePatchReader.Read(body);
            var result = await presence.UpdateAsync(userId, update, cancellationToken).ConfigureAwait(false);
            return WriteResult(result);
        });

    public Task<IResult> HeartbeatAsync(HttpContext context, CancellationToken cancellationToken) =>
        RunAsync(context, async userId =>
        {
            var lastSeenAt = await presence.HeartbeatAsync(userId, cancellationToken).ConfigureAwait(false);
            return PresenceResults.Json(new HeartbeatResponse(lastSeenAt), PresenceJsonContext.Default.HeartbeatResponse);
        });

    public Task<IResult> ClearStatusAsync(HttpContext context, CancellationToken cancellationToken) =>
        RunAsync(context, async userId => WriteResult(await presence.ClearStatusAsync(userId, cancellationToken).ConfigureAwait(false)));

    public Task<IResult> GetMeAsync(HttpContext context, CancellationToken cancellationToken) =>
        RunAsync(context, async userId => WriteRecord(await presence.GetAsync(userId, cancellationToken).ConfigureAwait(false)));

    public Task<IResult> GetUserAsync(string userId, HttpContext context, CancellationToken cancellationToken) =>
        RunAsync(context, async _ => WriteRecord(await presence.GetAsync(userId, cancellationToken).ConfigureAwait(false)));

    public Task<IResult> GetUsersAsync(string[]? ids, HttpContext context, CancellationToken cancellationToken) =>
        RunAsync(context, userIdsField: "ids", handle: async _ =>
        {
            ids ??= [];
            if (ids.Length > MaxIds)
            {
                return PresenceResults.ValidationProblem("ids", $"must list at most {MaxIds} user ids.");
            }

            var records = await presence.GetManyAsync(ids, cancellationToken).ConfigureAwait(false);
            return WriteRecords(records);
        });

    public Task<IResult> GetChannelAsync(string channelId, HttpContext context, CancellationToken cancellationToken) =>
        RunAsync(context, async _ => WriteRecords(await presence.GetActiveInChannelAsync(channelId, cancellationToken).ConfigureAwait(false)));

    public Task<IResult> StreamAsync(string[]? ids, HttpContext context, CancellationToken cancellationToken) =>
        RunAsync(context, userIdsField: "ids", handle: _ =>
        {
            ids ??= [];
            if (ids.Length > MaxIds)
            {
                return Task.FromResult(PresenceResults.ValidationProblem("ids", $"must list at most {MaxIds} user ids."));
            }

            long? after = null;
            var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
            if (lastEventId.Length > 0)
            {
                if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    return Task.FromResult(PresenceResults.ValidationProblem("Last-Event-ID", "must be a transaction id received from this stream."));
                }

                after = parsed;
            }

            // The stream also ends when the host stops: Kestrel would otherwise wait out its shutdown timeout for
            // it and then cut it off.
            var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
            context.Response.RegisterForDispose(ended);

            // Subscribes now, so nothing committed between this call and the first read is missed.
            var changes = presence.WatchAsync(ids.Length == 0 ? null : ids, after, ended.Token);
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            IResult result = TypedResults.ServerSentEvents(StreamEventsAsync(changes, context, ended.Token));
            return Task.FromResult(result);
        });

    /// <summary>
    /// The events of one stream. Keep-alive comments are written straight to the body while waiting for a change:
    /// <c>SseItem</c> cannot carry comments, and the formatter writes only between our items, so they never interleave.
    /// </summary>
    private async IAsyncEnumerable<SseItem<string>> StreamEventsAsync(
        IAsyncEnumerable<PresenceChange> changes,
        HttpContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var enumerator = changes.GetAsyncEnumerator(stop.Token);
        Task<bool>? pending = null;
        try
        {
            // Start reading before announcing the stream, so a lazily subscribing service misses nothing; the
            // comment sends the headers now, so clients see the stream open before the first change.
            pending = enumerator.MoveNextAsync().AsTask();
            await WriteCommentAsync(context, OpenComment, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                pending ??= enumerator.MoveNextAsync().AsTask();
                if (!pending.IsCompleted)
                {
                    using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var delay = Task.Delay(options.StreamKeepAliveInterval, time, keepAlive.Token);
                    var first = await Task.WhenAny(pending, delay).ConfigureAwait(false);
                    await keepAlive.CancelAsync().ConfigureAwait(false);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        yield break;
                    }

                    if (first != pending)
                    {
                        await WriteCommentAsync(context, KeepAliveComment, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                var next = await NextAsync(pending, cancellationToken).ConfigureAwait(false);
                pending = null;
                if (next is not { } hasNext || !hasNext)
                {
                    yield break;
                }

                var change = enumerator.Current;
                var data = JsonSerializer.Serialize(UserPresenceResponse.From(change.Presence), PresenceJsonContext.Default.UserPresenceResponse);
                yield return new SseItem<string>(data, "presence")
                {
                    EventId = change.TransactionId.ToString(CultureInfo.InvariantCulture),
                };
            }
        }
        finally
        {
            // The enumerator cannot be disposed while a MoveNextAsync is in flight: cancel it and let it finish.
            await stop.CancelAsync().ConfigureAwait(false);
            if (pending is not null)
            {
                try
                {
                    await pending.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Only draining a cancelled read; its outcome no longer matters.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }

            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The outcome of a read: true/false from the feed, null when the stream must end.</summary>
    private async Task<bool?> NextAsync(Task<bool> pending, CancellationToken cancellationToken)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (PresenceWatchOverflowException ex)
        {
            // Ending the stream makes the client reconnect with Last-Event-ID and catch up from the store.
            Log.StreamOverflow(logger, ex.LastTransactionId);
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The response has started, so no 500 is possible: end the stream; the client resumes with Last-Event-ID.
            Log.StreamFailed(logger, ex);
            return null;
        }
    }

    private static async Task WriteCommentAsync(HttpContext context, byte[] comment, CancellationToken cancellationToken)
    {
        await context.Response.Body.WriteAsync(comment, cancellationToken).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves the caller's user id and maps failures: 400 for bad input, 500 without internals otherwise.</summary>
    /// <param name="context">The request.</param>
    /// <param name="handle">The route's work, given the caller's user id.</param>
    /// <param name="userIdsField">Where user ids come from a query parameter: its name, reported instead of the
    /// service's <c>userId</c> in validation errors.</param>
    private async Task<IResult> RunAsync(HttpContext context, Func<string, Task<IResult>> handle, string? userIdsField = null)
    {
        var userId = _userIds.Resolve(context.User);
        if (userId is null)
        {
            Log.NoUserId(logger, _userIds.Describe());
            return PresenceResults.Unauthorized("The authenticated user has no user id.");
        }

        try
        {
            return await handle(userId).ConfigureAwait(false);
        }
        catch (PresenceValidationException ex)
        {
            var errors = ex.Errors;
            if (userIdsField is not null && errors.TryGetValue("userId", out var userIdErrors))
            {
                errors = errors.Where(e => e.Key != "userId").Append(new(userIdsField, userIdErrors)).ToDictionary(StringComparer.Ordinal);
            }

            return PresenceResults.ValidationProblem(errors);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return PresenceResults.TooLarge(MaxBodyBytes);
        }
        catch (BadHttpRequestException ex)
        {
            // The client sent a body the server could not read (bad framing, too slow): its fault, not a 500.
            Log.BadRequestBody(logger, context.Request.Method, context.Request.Path.Value ?? "", ex.StatusCode, ex);
            return PresenceResults.Problem(ex.StatusCode, "The request body could not be read.", "https://tools.ietf.org/html/rfc9110#section-15.5.1");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody reads the answer.
            return Results.Empty;
        }
#pragma warning disable CA1031 // The contract is a 500 ProblemDetails without internals, whatever failed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.EndpointFailed(logger, context.Request.Method, context.Request.Path.Value ?? "", PresenceResults.TraceId(context), ex);
            return PresenceResults.ServerError();
        }
    }

    private static IResult WriteResult(PresenceResult result) =>
        PresenceResults.Json(
            new PresenceResultResponse(UserPresenceResponse.From(result.Data), result.TransactionId),
            PresenceJsonContext.Default.PresenceResultResponse);

    private static IResult WriteRecord(UserPresence record) =>
        PresenceResults.Json(UserPresenceResponse.From(record), PresenceJsonContext.Default.UserPresenceResponse);

    private static IResult WriteRecords(IReadOnlyList<UserPresence> records)
    {
        var items = new UserPresenceResponse[records.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = UserPresenceResponse.From(records[i]);
        }

        return PresenceResults.Json(items, PresenceJsonContext.Default.UserPresenceResponseArray);
    }
}
