using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Hazel.Presence.Sqlite.Tests;

public sealed class SqliteCrashTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Every_acknowledged_write_survives_a_SIGKILL()
    {
        var acks = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        var child = StartChild(acks, errors, workers: 32, usersPerWorker: 8);
        try
        {
            // Kill at a random moment once the storm is well under way.
            var deadline = Stopwatch.StartNew();
            while (acks.Count < 2_000 && !child.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10);
            }

            Assert.False(child.HasExited, $"The child process ended before it was killed: {string.Join(Environment.NewLine, errors)}");
            await Task.Delay(Random.Shared.Next(0, 500));
        }
        finally
        {
            child.Kill(entireProcessTree: true); // SIGKILL: no disposal, no flush
            await child.WaitForExitAsync();
        }

        var updates = new Dictionary<string, int>(StringComparer.Ordinal);
        var heartbeats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in acks)
        {
            var parts = line.Split(' ');
            if (parts is ["u", var user, var value])
            {
                updates[user] = Math.Max(updates.GetValueOrDefault(user), int.Parse(value, CultureInfo.InvariantCulture));
            }
            else if (parts is ["h", var beater, var ticks])
            {
                heartbeats[beater] = Math.Max(heartbeats.GetValueOrDefault(beater), long.Parse(ticks, CultureInfo.InvariantCulture));
            }
        }

        Assert.True(updates.Count > 0, "No acknowledged updates were seen.");
        TestContext.Current.TestOutputHelper?.WriteLine($"Killed after {acks.Count} acknowledged writes ({updates.Values.Sum()} updates).");
        Assert.Equal("ok", _database.Scalar("PRAGMA integrity_check;"));

        await using var store = _database.OpenStore();
        var stored = (await store.GetManyAsync([.. updates.Keys.Concat(heartbeats.Keys).Distinct()])).ToDictionary(r => r.UserId, StringComparer.Ordinal);
        foreach (var (user, acked) in updates)
        {
            Assert.True(stored.TryGetValue(user, out var record), $"{user} is missing.");
            var value = int.Parse(record.CustomMessage!, CultureInfo.InvariantCulture);
            Assert.True(value >= acked, $"{user}: acknowledged message {acked}, stored {value}.");
        }

        foreach (var (user, ticks) in heartbeats)
        {
            Assert.True(stored[user].LastSeenAt.UtcTicks >= ticks, $"{user}: acknowledged heartbeat at {ticks}, stored {stored[user].LastSeenAt.UtcTicks}.");
        }

        // The transaction id sequence was committed with the rows: it still covers every row.
        Assert.Equal(_database.Scalar("SELECT max(transaction_id) FROM presence;"), _database.Scalar("SELECT last_transaction_id FROM presence_sequence;"));
    }

    private Process StartChild(ConcurrentQueue<string> acks, ConcurrentQueue<string> errors, int workers, int usersPerWorker)
    {
        var childDll = Path.Combine(AppContext.BaseDirectory, "Hazel.Presence.Sqlite.CrashChild.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { childDll, _database.Path, workers.ToString(CultureInfo.InvariantCulture), usersPerWorker.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                acks.Enqueue(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                errors.Enqueue(line);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
