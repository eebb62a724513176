using System.Reflection;
using System.Text.RegularExpressions;

namespace Hazel.Presence.Tests;

/// <summary>Keeps the public surface small and the library honest about time and output.</summary>
public sealed partial class ApiConventionTests
{
    private static readonly Assembly Core = typeof(IPresenceService).Assembly;

    private static readonly string[] PublicNamespaces = ["Hazel.Presence", "Hazel.Presence.Storage", "Microsoft.Extensions.DependencyInjection"];

    [Fact]
    public void Public_classes_are_sealed_or_static()
    {
        var open = Core.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsSealed && !(t.IsAbstract && t.IsSealed))
            .Select(t => t.FullName);

        Assert.Empty(open);
    }

    [Fact]
    public void Public_types_live_only_in_the_intended_namespaces()
    {
        var stray = Core.GetExportedTypes().Where(t => !PublicNamespaces.Contains(t.Namespace)).Select(t => t.FullName);

        Assert.Empty(stray);
    }

    [Fact]
    public void Public_types_in_the_dependency_injection_namespace_are_only_extension_classes()
    {
        var types = Core.GetExportedTypes().Where(t => t.Namespace == "Microsoft.Extensions.DependencyInjection").ToList();

        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.True(t.IsAbstract && t.IsSealed, $"{t} should be a static extension class"));
    }

    [Fact]
    public void Implementations_are_internal()
    {
        Assert.DoesNotContain(Core.GetExportedTypes(), t => t.Namespace?.EndsWith(".Internal", StringComparison.Ordinal) == true);
        Assert.False(typeof(Internal.PresenceService).IsPublic);
        Assert.False(typeof(Internal.InMemoryPresenceStore).IsPublic);
    }

    [Fact]
    public void Source_never_writes_to_the_console_or_reads_the_system_clock()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(sources);
        var offenders = sources
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(x => Forbidden().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepositoryRoot(), x.path)}:{x.i + 1}: {x.line.Trim()}");
        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"\bConsole\.|\bDateTime(Offset)?\.(UtcNow|Now|Today)\b")]
    private static partial Regex Forbidden();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hazel.Presence.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Hazel.Presence.sln not found above " + AppContext.BaseDirectory);
    }
}
