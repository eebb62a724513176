using System.Diagnostics;

namespace Hazel.Presence.AspNetCore.Tests;

/// <summary>
/// The real Effect <c>RpcClient</c> (node/rpc-client-check.mjs, effect 4.1.0 and Hazel's 4.0.0-beta.57) against
/// the endpoint on Kestrel. Needs <c>node</c> on PATH and node/node_modules (.ci/setup.d/20-node-deps.sh runs
/// <c>npm ci</c>); skips without them unless HAZEL_REQUIRE_E2E=1, which makes their absence a failure.
/// </summary>
public sealed class NodeClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("4.1.0")]
    [InlineData("beta")]
    public async Task The_real_Effect_RpcClient_passes_every_check(string flavor)
    {
        var folder = FindScriptFolder();
        var node = FindOnPath("node");
        var missing = folder is null ? "node/rpc-client-check.mjs was not found above the test output folder"
            : node is null ? "node is not on PATH"
            : !Directory.Exists(Path.Combine(folder, "node_modules", "effect")) || !Directory.Exists(Path.Combine(folder, "node_modules", "effect-beta"))
                ? $"{Path.Combine(folder, "node_modules")} is missing; run .ci/setup.d/20-node-deps.sh (npm ci)"
                : null;
        if (missing is not null)
        {
            if (Environment.GetEnvironmentVariable("HAZEL_REQUIRE_E2E") == "1")
            {
                Assert.Fail($"HAZEL_REQUIRE_E2E=1 but {missing}.");
            }

            Assert.Skip($"Real-client check skipped: {missing}.");
        }

        await using var host = await PresenceTestHost.StartAsync();
        var start = new ProcessStartInfo(node!, ["rpc-client-check.mjs", flavor, host.BaseAddress.ToString().TrimEnd('/')])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The node client did not finish within {Timeout}.\n{await stdout}\n{await stderr}");
        }

        var output = await stdout;
        var errors = await stderr;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{errors}");
        Assert.Equal(9, lines.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    private static string? FindScriptFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node");
            if (File.Exists(Path.Combine(candidate, "rpc-client-check.mjs")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
