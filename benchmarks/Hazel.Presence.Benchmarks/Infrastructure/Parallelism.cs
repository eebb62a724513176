namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>Runs many asynchronous callers at once, each doing its share of the operations in sequence.</summary>
public static class Parallelism
{
    /// <summary>
    /// Starts <paramref name="callers"/> callers; caller <c>c</c> awaits <paramref name="operation"/>(c, i) for
    /// i = 0..<paramref name="perCaller"/>-1 one after the other. Completes when all are done.
    /// </summary>
    public static Task RunCallersAsync(int callers, int perCaller, Func<int, int, ValueTask> operation)
    {
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            tasks[c] = RunOne(c, perCaller, operation);
        }

        return Task.WhenAll(tasks);

        static async Task RunOne(int caller, int perCaller, Func<int, int, ValueTask> operation)
        {
            // Start each caller on the thread pool, as concurrent requests would.
            await Task.Yield();
            for (var i = 0; i < perCaller; i++)
            {
                await operation(caller, i).ConfigureAwait(false);
            }
        }
    }
}
