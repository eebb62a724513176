using BenchmarkDotNet.Running;
using Hazel.Presence.Benchmarks.Infrastructure;

// Usage (from the repository root):
//   dotnet run -c Release --project benchmarks/Hazel.Presence.Benchmarks -- --quick --filter '*'
//   dotnet run -c Release --project benchmarks/Hazel.Presence.Benchmarks -- --filter '*Heartbeat*'
// --quick: in-process, few short iterations, the smaller parameter sets, and no [FullRunOnly] classes
// (under 5 minutes for everything on a quiet 2-core machine, once the SQLite templates exist).
// Everything else is BenchmarkDotNet's own command line (--filter, --list flat, --job, ...).
var quick = args.Contains(BenchMode.QuickFlag, StringComparer.Ordinal);
if (quick)
{
    // Inherited by BenchmarkDotNet's child processes, so [ParamsSource] sees the same mode everywhere.
    Environment.SetEnvironmentVariable(BenchMode.QuickVariable, "1");
}

var rest = args.Where(a => !string.Equals(a, BenchMode.QuickFlag, StringComparison.Ordinal)).ToArray();
BenchmarkSwitcher.FromAssembly(typeof(BenchMode).Assembly).Run(rest, BenchConfig.Create(quick));
