using System.Globalization;

namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>Deterministic user ids shaped like the sample host's (UUID strings, 36 characters).</summary>
public static class BenchUsers
{
    /// <summary>A fixed instant the seeded data is relative to.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Id(int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{index:x8}-0000-4000-8000-{index * 2654435761L % 0xFFFFFFFFFFFFL:x12}");

    public static string[] Ids(int count)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = Id(i);
        }

        return ids;
    }

    /// <summary>The ids in a fixed pseudo-random order (heartbeats arrive in no particular order).</summary>
    public static string[] Shuffled(string[] ids, int seed = 42)
    {
        var copy = (string[])ids.Clone();
        new Random(seed).Shuffle(copy);
        return copy;
    }

    /// <summary><paramref name="count"/> indexes spread evenly over <paramref name="total"/>.</summary>
    public static int[] Spread(int total, int count, int offset = 0)
    {
        var step = total / count;
        var result = new int[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = (i * step + offset) % total;
        }

        return result;
    }
}
