using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hazel.Presence.AspNetCore.Internal;

/// <summary>
/// Dates on every wire of this package: written as ISO-8601 UTC with milliseconds (<c>2030-01-02T03:04:05.678Z</c>,
/// what the Effect client sends and expects); read as an ISO-8601 date-time with or without an offset (none means
/// UTC) or a date alone, truncated to milliseconds like Effect's <c>DateTime</c>.
/// </summary>
internal static class WireDates
{
    private const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'";

    public static string ToWire(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;

        // DateTimeOffset.TryParse alone would also take culture-style dates like "1/2/2030"; insist on ISO's yyyy-MM-dd.
        if (text is null || text.Length < 10 || text.Length > 40
            || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[3]) || text[4] != '-' || text[7] != '-')
        {
            return false;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        var ticks = parsed.UtcTicks;
        value = new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        return true;
    }
}

/// <summary>Applies <see cref="WireDates"/> to JSON.</summary>
internal sealed class WireDateJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && WireDates.TryParse(reader.GetString(), out var value)
            ? value
            : throw new JsonException("Expected an ISO-8601 date-time string.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[24];
        if (value.UtcDateTime.TryFormat(buffer, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture))
        {
            writer.WriteStringValue(buffer[..written]);
        }
        else
        {
            writer.WriteStringValue(WireDates.ToWire(value));
        }
    }
}
