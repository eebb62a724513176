namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>Fills a store through the public service, with enough callers in flight for group commit.</summary>
public static class Seeding
{
    public const int Concurrency = 256;

    public static Task HeartbeatAllAsync(IPresenceService service, IReadOnlyList<string> userIds) =>
        ForAllAsync(userIds, async id => await service.HeartbeatAsync(id));

    public static Task UpdateAllAsync(IPresenceService service, IReadOnlyList<string> userIds, Func<int, PresenceUpdate> update) =>
        ForAllAsync(userIds, async (id, i) => await service.UpdateAsync(id, update(i)));

    public static Task ForAllAsync(IReadOnlyList<string> userIds, Func<string, ValueTask> operation) =>
        ForAllAsync(userIds, (id, _) => operation(id));

    public static Task ForAllAsync(IReadOnlyList<string> userIds, Func<string, int, ValueTask> operation)
    {
        var callers = Math.Min(Concurrency, userIds.Count);
        var perCaller = (userIds.Count + callers - 1) / callers;
        return Parallelism.RunCallersAsync(callers, perCaller, (caller, i) =>
        {
            var index = caller * perCaller + i;
            return index < userIds.Count ? operation(userIds[index], index) : ValueTask.CompletedTask;
        });
    }
}
