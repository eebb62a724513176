using System.Globalization;
using System.Text;

namespace Hazel.Presence.Internal;

/// <summary>Input rules shared by the service and the adapters. Field names are the wire names.</summary>
internal static class PresenceValidator
{
    public static void ValidateUserId(string? userId, PresenceOptions options) => ThrowIfInvalidId("userId", userId, options);

    public static void ThrowIfInvalidId(string field, string? id, PresenceOptions options)
    {
        var error = IdError(id, options);
        if (error is not null)
        {
            throw new PresenceValidationException(field, error);
        }
    }

    public static string? IdError(string? id, PresenceOptions options)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "must not be empty.";
        }

        if (id.Length > options.MaxIdLength)
        {
            return $"must be at most {options.MaxIdLength} characters.";
        }

        foreach (var c in id)
        {
            if (char.IsControl(c))
            {
                return "must not contain control characters.";
            }
        }

        return Utf16Error(id);
    }

    public static void ValidateUpdate(PresenceUpdate update, DateTimeOffset now, PresenceOptions options)
    {
        Dictionary<string, string[]>? errors = null;
        void Add(string field, string error) => (errors ??= [])[field] = [error];

        if (update.Status.HasValue && !Enum.IsDefined(update.Status.Value))
        {
            Add("status", "must be one of online, away, busy, dnd, offline.");
        }

        if (update.CustomMessage.HasValue && MessageError(update.CustomMessage.Value, options) is { } messageError)
        {
            Add("customMessage", messageError);
        }

        if (update.StatusEmoji.HasValue && EmojiError(update.StatusEmoji.Value, options) is { } emojiError)
        {
            Add("statusEmoji", emojiError);
        }

        if (update.StatusExpiresAt.HasValue && update.StatusExpiresAt.Value is { } expiresAt && expiresAt <= now)
        {
            Add("statusExpiresAt", "must be in the future.");
        }

        if (update.ActiveChannelId.HasValue && update.ActiveChannelId.Value is { } channelId && IdError(channelId, options) is { } channelError)
        {
            Add("activeChannelId", channelError);
        }

        if (errors is not null)
        {
            throw new PresenceValidationException(errors);
        }
    }

    public static string? MessageError(string? message, PresenceOptions options)
    {
        if (message is null)
        {
            return null;
        }

        if (message.Length > options.MaxCustomMessageLength)
        {
            return $"must be at most {options.MaxCustomMessageLength} characters.";
        }

        foreach (var c in message)
        {
            if (char.IsControl(c))
            {
                return "must not contain control characters.";
            }
        }

        return Utf16Error(message);
    }

    public static string? EmojiError(string? emoji, PresenceOptions options)
    {
        if (emoji is null)
        {
            return null;
        }

        if (emoji.Length == 0 || emoji.Length > options.MaxEmojiLength)
        {
            return $"must be one emoji (1 to {options.MaxEmojiLength} characters).";
        }

        if (Utf16Error(emoji) is { } utf16Error)
        {
            return utf16Error;
        }

        if (IsShortcode(emoji))
        {
            return null;
        }

        foreach (var rune in emoji.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Rune.IsWhiteSpace(rune))
            {
                return "must not contain control characters or spaces.";
            }
        }

        return new StringInfo(emoji).LengthInTextElements == 1
            ? null
            : "must be a single emoji (one grapheme cluster) or a :shortcode:.";
    }

    private static bool IsShortcode(string value)
    {
        if (value.Length < 3 || value[0] != ':' || value[^1] != ':')
        {
            return false;
        }

        foreach (var c in value.AsSpan(1, value.Length - 2))
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '+'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Utf16Error(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return "must not contain unpaired surrogate characters.";
            }
        }

        return null;
    }
}
