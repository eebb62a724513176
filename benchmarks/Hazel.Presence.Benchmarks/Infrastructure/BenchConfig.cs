using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Filters;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>
/// One job for every benchmark, bounded in time: a fixed number of warm-up and measured iterations (no
/// open-ended pilot-to-convergence), memory diagnoser, GitHub Markdown and JSON exporters. Quick runs leave out
/// the classes marked <see cref="FullRunOnlyAttribute"/>.
/// </summary>
public static class BenchConfig
{
    public static IConfig Create(bool quick)
    {
        var job = quick
            ? Job.Default
                .WithId("Quick")
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(5)
                .WithIterationTime(TimeInterval.FromMilliseconds(150))
            : Job.Default
                .WithId("Full")
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(10)
                .WithIterationTime(TimeInterval.FromMilliseconds(400));

        return ManualConfig.CreateEmpty()
            .AddLogger(DefaultConfig.Instance.GetLoggers().ToArray())
            .AddAnalyser(DefaultConfig.Instance.GetAnalysers().ToArray())
            .AddValidator(DefaultConfig.Instance.GetValidators().ToArray())
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Brief)
            .AddFilter(new SimpleFilter(b => !quick || !b.Descriptor.Type.IsDefined(typeof(FullRunOnlyAttribute), inherit: false)))
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
