using System.Globalization;
using Hazel.Presence;
using Microsoft.Extensions.DependencyInjection;

// Usage: CrashChild <database path> <workers> <users per worker>
// Each worker owns its users and, per user, writes custom messages "1", "2", ... and heartbeats, awaiting each
// write and then printing it: "u <user> <value>" for an update, "h <user> <last-seen ticks>" for a heartbeat.
// A printed line is a write the store acknowledged as committed. Runs until killed.
var path = args[0];
var workers = int.Parse(args[1], CultureInfo.InvariantCulture);
var usersPerWorker = int.Parse(args[2], CultureInfo.InvariantCulture);

var services = new ServiceCollection().AddLogging();
services.AddHazelPresence(o => o.RunSweeper = false).UseSqlite($"Data Source={path}");
await using var provider = services.BuildServiceProvider();
var presence = provider.GetRequiredService<IPresenceService>();

var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
var outputLock = new Lock();
void Ack(string line)
{
    lock (outputLock)
    {
        output.WriteLine(line);
    }
}

Ack("ready");
await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
{
    var users = Enumerable.Range(0, usersPerWorker).Select(i => $"crash-{worker}-{i}").ToArray();
    var counters = new int[users.Length];
    for (var step = 0; ; step++)
    {
        var i = step % users.Length;
        if (step % 3 == 2)
        {
            var lastSeen = await presence.HeartbeatAsync(users[i]);
            Ack(string.Create(CultureInfo.InvariantCulture, $"h {users[i]} {lastSeen.UtcTicks}"));
        }
        else
        {
            var value = ++counters[i];
            await presence.UpdateAsync(users[i], new PresenceUpdate { CustomMessage = value.ToString(CultureInfo.InvariantCulture) });
            Ack(string.Create(CultureInfo.InvariantCulture, $"u {users[i]} {value}"));
        }
    }
})));
