namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>Leaves a benchmark class out of <c>--quick</c> runs (it is too slow to set up for the 5-minute budget).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FullRunOnlyAttribute : Attribute;
