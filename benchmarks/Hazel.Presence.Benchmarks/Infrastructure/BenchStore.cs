namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>The store a benchmark runs against.</summary>
public enum BenchStore
{
    InMemory,
    Sqlite,
}
