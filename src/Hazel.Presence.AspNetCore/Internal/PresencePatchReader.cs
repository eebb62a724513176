using System.Text.Json;

namespace Hazel.Presence.AspNetCore.Internal;

/// <summary>
/// Reads the JSON body of <c>PATCH /me</c> into a <see cref="PresenceUpdate"/>, keeping a missing property
/// (keep the value) apart from null (clear it). Strict, unlike the RPC payload: unknown properties, duplicates,
/// wrong types and nulls for fields that cannot be cleared are errors naming the field.
/// </summary>
internal static class PresencePatchReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <exception cref="PresenceValidationException">The body is not a valid update.</exception>
    public static PresenceUpdate Read(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException)
        {
            throw new PresenceValidationException("$", "The body must be a JSON object.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PresenceValidationException("$", "The body must be a JSON object.");
            }

            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var update = new PresenceUpdate();
            foreach (var property in root.EnumerateObject())
            {
                var name = property.Name;
                if (!seen.Add(name))
                {
                    errors[name] = ["is given more than once."];
                    continue;
                }

                var value = property.Value;
                string? error = null;
                switch (name)
                {
                    case "status":
                        if (value.ValueKind == JsonValueKind.Null)
                        {
                            error = "cannot be null; leave it out to keep the current status.";
                        }
                        else if (value.ValueKind == JsonValueKind.String && PresenceStatusNames.TryParse(value.GetString(), out var status))
                        {
                            update = update with { Status = status };
                        }
                        else
                        {
                            error = "must be one of online, away, busy, dnd, offline.";
                        }

                        break;
                    case "customMessage":
                        error = ReadString(value, out var message);
                        update = error is null ? update with { CustomMessage = message } : update;
                        break;
                    case "statusEmoji":
                        error = ReadString(value, out var emoji);
                        update = error is null ? update with { StatusEmoji = emoji } : update;
                        break;
                    case "activeChannelId":
                        error = ReadString(value, out var channel);
                        update = error is null ? update with { ActiveChannelId = channel } : update;
                        break;
                    case "statusExpiresAt":
                        if (value.ValueKind == JsonValueKind.Null)
                        {
                            update = update with { StatusExpiresAt = null };
                        }
                        else if (value.ValueKind == JsonValueKind.String && WireDates.TryParse(value.GetString(), out var expiresAt))
                        {
                            update = update with { StatusExpiresAt = expiresAt };
                        }
                        else
                        {
                            error = "must be an ISO-8601 date-time string (e.g. 2030-01-02T03:04:05.678Z) or null.";
                        }

                        break;
                    case "suppressNotifications":
                        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        {
                            update = update with { SuppressNotifications = value.GetBoolean() };
                        }
                        else
                        {
                            error = value.ValueKind == JsonValueKind.Null
                                ? "cannot be null; send true or false, or leave it out to keep the current value."
                                : "must be true or false.";
                        }

                        break;
                    default:
                        error = "is not a known property.";
                        break;
                }

                if (error is not null)
                {
                    errors[name] = [error];
                }
            }

            if (errors.Count > 0)
            {
                throw new PresenceValidationException(errors);
            }

            return update;
        }
    }

    private static string? ReadString(JsonElement value, out string? result)
    {
        result = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                result = value.GetString();
                return null;
            default:
                return "must be a string or null.";
        }
    }
}
