using Microsoft.Extensions.Options;

namespace Hazel.Presence.Internal;

internal sealed class PresenceOptionsValidator : IValidateOptions<PresenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PresenceOptions options)
    {
        var failures = new List<string>();
        if (options.OfflineAfter < TimeSpan.FromSeconds(1) || options.OfflineAfter > TimeSpan.FromDays(1))
        {
            failures.Add($"{nameof(PresenceOptions.OfflineAfter)} must be between 1 second and 1 day (was {options.OfflineAfter}).");
        }

        if (options.SweepInterval < TimeSpan.FromMilliseconds(10) || options.SweepInterval >= options.OfflineAfter)
        {
            failures.Add($"{nameof(PresenceOptions.SweepInterval)} must be at least 10 ms and shorter than {nameof(PresenceOptions.OfflineAfter)} (was {options.SweepInterval}, {nameof(PresenceOptions.OfflineAfter)} {options.OfflineAfter}).");
        }

        Range(failures, nameof(PresenceOptions.SweepBatchSize), options.SweepBatchSize, 1, 100_000);
        Range(failures, nameof(PresenceOptions.MaxCustomMessageLength), options.MaxCustomMessageLength, 1, 4096);
        Range(failures, nameof(PresenceOptions.MaxEmojiLength), options.MaxEmojiLength, 1, 256);
        Range(failures, nameof(PresenceOptions.MaxIdLength), options.MaxIdLength, 1, 1024);
        Range(failures, nameof(PresenceOptions.WatchBufferSize), options.WatchBufferSize, 16, 1 << 20);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{name} must be between {min} and {max} (was {value}).");
        }
    }
}
