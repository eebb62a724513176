using System.Text;
using System.Text.Json;

namespace Hazel.Presence.AspNetCore.Internal;

/// <summary>
/// Decodes the payload of <c>userPresenceStatus.update</c> the way Hazel's Effect schema does: every field optional,
/// <c>"status": null</c> and <c>"suppressNotifications": null</c> mean "not given", null clears the other fields,
/// unknown keys are ignored, and a bad value is reported with Effect's message (<c>Expected …\n  at ["field"]</c>).
/// </summary>
internal static class RpcPayloadReader
{
    private const string StatusExpected = "Expected \"online\" | \"away\" | \"busy\" | \"dnd\" | \"offline\"";

    /// <summary>The update, or null with <paramref name="error"/> set.</summary>
    public static PresenceUpdate? ReadUpdate(JsonElement payload, out string? error)
    {
        error = null;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            error = "Expected object";
            return null;
        }

        var update = new PresenceUpdate();
        foreach (var property in payload.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "status":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        update = update with { Status = Optional<PresenceStatus>.Unset };
                    }
                    else if (value.ValueKind == JsonValueKind.String && PresenceStatusNames.TryParse(value.GetString(), out var status))
                    {
                        update = update with { Status = status };
                    }
                    else
                    {
                        error = At("status", StatusExpected);
                    }

                    break;
                case "customMessage":
                    var (message, messageOk) = ReadString(value, "customMessage", ref error);
                    update = messageOk ? update with { CustomMessage = message } : update;
                    break;
                case "statusEmoji":
                    var (emoji, emojiOk) = ReadString(value, "statusEmoji", ref error);
                    update = emojiOk ? update with { StatusEmoji = emoji } : update;
                    break;
                case "activeChannelId":
                    var (channel, channelOk) = ReadString(value, "activeChannelId", ref error);
                    if (channelOk && channel is not null && !IsUuid(channel))
                    {
                        // Hazel's ChannelId is a UUID; its client could not read any other id back.
                        error = At("activeChannelId", "Expected a UUID");
                    }
                    else if (channelOk)
                    {
                        update = update with { ActiveChannelId = channel };
                    }

                    break;
                case "statusExpiresAt":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        update = update with { StatusExpiresAt = null };
                    }
                    else if (value.ValueKind != JsonValueKind.String)
                    {
                        error = At("statusExpiresAt", "Expected string | null | null");
                    }
                    else if (WireDates.TryParse(value.GetString(), out var expiresAt))
                    {
                        update = update with { StatusExpiresAt = expiresAt };
                    }
                    else
                    {
                        error = At("statusExpiresAt", "Expected a valid UTC DateTime string");
                    }

                    break;
                case "suppressNotifications":
                    if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        update = update with { SuppressNotifications = value.GetBoolean() };
                    }
                    else if (value.ValueKind != JsonValueKind.Null)
                    {
                        error = At("suppressNotifications", "Expected boolean | null");
                    }
                    else
                    {
                        update = update with { SuppressNotifications = Optional<bool>.Unset };
                    }

                    break;
                default:
                    // Unknown keys are ignored, as Effect's Struct decoding does.
                    break;
            }

            if (error is not null)
            {
                return null;
            }
        }

        return update;
    }

    /// <summary>A Die message naming each invalid field, in the shape of Effect's schema errors.</summary>
    public static string Describe(PresenceValidationException exception)
    {
        var text = new StringBuilder();
        foreach (var (field, errors) in exception.Errors)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(At(field, field + " " + string.Join(" ", errors)));
        }

        return text.ToString();
    }

    private static (string? Value, bool Ok) ReadString(JsonElement value, string field, ref string? error)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return (null, true);
            case JsonValueKind.String:
                return (value.GetString(), true);
            default:
                error = At(field, "Expected string | null");
                return (null, false);
        }
    }

    private static string At(string field, string message) => message + "\n  at [\"" + field + "\"]";

    /// <summary>Effect's <c>isUUID</c>: hyphenated 8-4-4-4-12 hex, version 1-8 (or the nil UUID), variant 8, 9, a or b.</summary>
    internal static bool IsUuid(string value)
    {
        if (value.Length != 36 || !Guid.TryParseExact(value, "D", out var guid))
        {
            return false;
        }

        if (guid == Guid.Empty)
        {
            return true;
        }

        var version = value[14];
        var variant = char.ToLowerInvariant(value[19]);
        return version is >= '1' and <= '8' && variant is '8' or '9' or 'a' or 'b';
    }
}
