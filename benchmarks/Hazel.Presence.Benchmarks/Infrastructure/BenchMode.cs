namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>Quick mode (<c>--quick</c>): short in-process jobs and smaller parameter sets.</summary>
public static class BenchMode
{
    public const string QuickFlag = "--quick";
    public const string QuickVariable = "HAZEL_BENCH_QUICK";

    public static bool Quick => Environment.GetEnvironmentVariable(QuickVariable) == "1";
}
