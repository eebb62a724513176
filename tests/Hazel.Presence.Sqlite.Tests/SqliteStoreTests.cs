using Hazel.Presence.Storage;
using Hazel.Presence.Testing;
using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace Hazel.Presence.Sqlite.Tests;

public sealed class SqliteStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private static ValueTask<UserPresence> PutAsync(SqlitePresenceStore store, string userId, Func<UserPresence, UserPresence>? change = null) =>
        store.UpsertAsync(userId, PresenceChangeKind.Updated, current =>
        {
            var record = current ?? new UserPresence { Id = Guid.NewGuid(), UserId = userId, UpdatedAt = T0, LastSeenAt = T0 };
            return change is null ? record : change(record);
        });

    [Fact]
    public async Task Opening_creates_the_schema_in_WAL_mode_and_reopening_changes_nothing()
    {
        await using (var store = _database.OpenStore())
        {
            await PutAsync(store, "u1");
        }

        var schema = (string)_database.Scalar("SELECT group_concat(name || ':' || sql, char(10)) FROM (SELECT name, sql FROM sqlite_master ORDER BY name);")!;
        await using (var again = _database.OpenStore())
        {
            Assert.NotNull(await again.GetAsync("u1"));
        }

        await using (_database.OpenStore())
        {
        }

        Assert.Equal(1L, _database.Scalar("PRAGMA user_version;"));
        Assert.Equal("wal", _database.Scalar("PRAGMA journal_mode;"));
        Assert.Equal(schema, _database.Scalar("SELECT group_concat(name || ':' || sql, char(10)) FROM (SELECT name, sql FROM sqlite_master ORDER BY name);"));
        Assert.Equal(1L, _database.Scalar("SELECT count(*) FROM presence_sequence;"));
    }

    [Theory]
    [InlineData("SELECT user_id FROM presence WHERE status <> 'offline' AND last_seen_at < 5 ORDER BY last_seen_at LIMIT 10", "presence_stale")]
    [InlineData("SELECT user_id FROM presence WHERE status_expires_at IS NOT NULL AND status_expires_at <= 5 ORDER BY status_expires_at LIMIT 10", "presence_expiry")]
    [InlineData("SELECT user_id FROM presence WHERE active_channel_id = 'c' AND status <> 'offline'", "presence_channel")]
    [InlineData("SELECT user_id FROM presence WHERE transaction_id > 5 ORDER BY transaction_id LIMIT 10", "presence_transaction")]
    public async Task Queries_use_their_partial_indexes(string query, string index)
    {
        await using (_database.OpenStore())
        {
        }

        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + query;
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, step => step.Contains(index, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_of_a_newer_schema_version_is_refused_with_a_clear_error()
    {
        await using (_database.OpenStore())
        {
        }

        _database.Scalar("PRAGMA user_version = 99;");

        var error = Assert.Throws<InvalidOperationException>(() => _database.OpenStore());
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stores_opening_a_new_file_at_once_share_it_without_repeating_transaction_ids()
    {
        // Four stores on one new file behave like four processes: each migrates under BEGIN IMMEDIATE.
        using var start = new Barrier(4);
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return _database.OpenStore();
        })));
        try
        {
            var committed = await Task.WhenAll(stores.SelectMany((store, s) => Enumerable.Range(0, 50).Select(i =>
                PutAsync(store, $"user-{s}-{i % 10}", r => r with { CustomMessage = $"{s}/{i}" }).AsTask())));

            Assert.Equal(committed.Length, committed.Select(r => r.TransactionId).Distinct().Count());
            Assert.Equal(1L, _database.Scalar("PRAGMA user_version;"));
            Assert.Equal(40L, _database.Scalar("SELECT count(*) FROM presence;"));
            Assert.Equal(committed.Max(r => r.TransactionId), _database.Scalar("SELECT last_transaction_id FROM presence_sequence;"));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Disposal_commits_queued_writes_then_refuses_calls()
    {
        var store = _database.OpenStore();
        var writes = Enumerable.Range(0, 500)
            .Select<int, Task>(i => i % 2 == 0
                ? PutAsync(store, $"user-{i}", r => r with { CustomMessage = $"m{i}" }).AsTask()
                : store.HeartbeatAsync($"user-{i}", T0, restoreStatus: true).AsTask())
            .ToList();

        await store.DisposeAsync();

        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await PutAsync(store, "late"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.HeartbeatAsync("late", T0, true));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.GetAsync("user-0"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.MarkStaleOfflineAsync(T0, T0, 10));
        await store.DisposeAsync();

        await using var reopened = _database.OpenStore();
        Assert.Equal(500, (await reopened.GetManyAsync([.. Enumerable.Range(0, 500).Select(i => $"user-{i}")])).Count);
        Assert.Equal("m498", (await reopened.GetAsync("user-498"))!.CustomMessage);
    }

    [Fact]
    public async Task A_failing_write_fails_alone_and_the_rest_of_its_batch_commits()
    {
        var logger = new FakeLogger<SqlitePresenceStore>();
        var sink = new RecordingSink();
        await using var store = _database.OpenStore(sink, logger: logger);

        // Hold the write lock from another connection so the writes queue up and meet in one batch.
        Task<UserPresence[]> good;
        Task<UserPresence> bad;
        using (var blocker = _database.OpenConnection())
        {
            Execute(blocker, "BEGIN IMMEDIATE;");
            var first = Enumerable.Range(0, 10).Select(i => PutAsync(store, $"good-{i}").AsTask()).ToList();
            bad = PutAsync(store, "bad", r => r with { Status = (PresenceStatus)42 }).AsTask(); // cannot be written
            var second = Enumerable.Range(10, 10).Select(i => PutAsync(store, $"good-{i}").AsTask()).ToList();
            good = Task.WhenAll(first.Concat(second));
            await Task.Delay(200);
            Execute(blocker, "COMMIT;");
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => bad);
        var committed = await good;
        Assert.Equal(20, (await store.GetManyAsync([.. committed.Select(r => r.UserId)])).Count);
        Assert.Null(await store.GetAsync("bad"));
        Assert.Equal(committed.Select(r => r.TransactionId).Order(), sink.Changes.Select(c => c.TransactionId));
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 102);
        Assert.NotNull(await PutAsync(store, "after"));
    }

    [Fact]
    public async Task Heartbeats_of_one_user_queued_in_one_batch_coalesce_into_one_write()
    {
        var sink = new RecordingSink();
        await using var store = _database.OpenStore(sink);
        await PutAsync(store, "beater");

        Task<PresenceHeartbeatResult[]> beats;
        using (var blocker = _database.OpenConnection())
        {
            // The writer takes the primer and waits for the lock; meanwhile the heartbeats meet in the next batch.
            Execute(blocker, "BEGIN IMMEDIATE;");
            var primer = PutAsync(store, "primer").AsTask();
            await Task.Delay(50);
            beats = Task.WhenAll(Enumerable.Range(1, 50).Select(i => store.HeartbeatAsync("beater", T0.AddSeconds(i), restoreStatus: true).AsTask()));
            await Task.Delay(100);
            Execute(blocker, "COMMIT;");
            await primer;
        }

        var results = await beats;

        // Written one by one, each would report its own time; coalesced, they share the latest.
        Assert.All(results, r => Assert.Equal(T0.AddSeconds(50), r.LastSeenAt));
        Assert.All(results, r => Assert.Null(r.Change));
        Assert.Equal(T0.AddSeconds(50), (await store.GetAsync("beater"))!.LastSeenAt);
        Assert.Equal(2, sink.Changes.Count); // the two creations
    }

    [Fact]
    public async Task Concurrent_writes_are_committed_together_and_the_batch_sizes_are_measured()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var batches = new MetricCollector<int>(meters, SqlitePresenceStore.MeterName, "hazel.presence.sqlite.batch.size");
        await using var store = _database.OpenStore(meterFactory: meters);

        using (var blocker = _database.OpenConnection())
        {
            Execute(blocker, "BEGIN IMMEDIATE;");
            var primer = PutAsync(store, "primer").AsTask();
            await Task.Delay(50);
            var writes = Enumerable.Range(0, 200).Select(i => PutAsync(store, $"user-{i}").AsTask()).ToList();
            Execute(blocker, "COMMIT;");
            await primer;
            await Task.WhenAll(writes);
        }

        var sizes = batches.GetMeasurementSnapshot().Select(m => m.Value).ToList();
        Assert.Equal(201, sizes.Sum());
        Assert.True(sizes.Max() >= 200, $"Batches: {string.Join(", ", sizes)}"); // all queued behind the lock: one transaction
    }

    [Fact]
    public async Task A_batch_that_cannot_begin_fails_its_writes_and_the_store_recovers()
    {
        var logger = new FakeLogger<SqlitePresenceStore>();
        await using var store = _database.OpenStore(configure: o => o.BusyTimeout = TimeSpan.FromMilliseconds(100), logger: logger);

        using (var blocker = _database.OpenConnection())
        {
            Execute(blocker, "BEGIN IMMEDIATE;");
            await Assert.ThrowsAsync<SqliteException>(async () => await PutAsync(store, "blocked"));
            Execute(blocker, "ROLLBACK;");
        }

        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 103);
        Assert.Null(await store.GetAsync("blocked"));
        var later = await PutAsync(store, "later");
        Assert.Equal(later, await store.GetAsync("later"));
    }

    [Fact]
    public async Task A_write_canceled_before_the_writer_takes_it_is_not_committed()
    {
        await using var store = _database.OpenStore();
        using var cancel = new CancellationTokenSource();

        using (var blocker = _database.OpenConnection())
        {
            Execute(blocker, "BEGIN IMMEDIATE;");
            var first = PutAsync(store, "first").AsTask();
            await Task.Delay(50); // the writer takes "first" and waits for the lock
            var canceled = store.UpsertAsync("canceled", PresenceChangeKind.Updated, _ => new UserPresence { Id = Guid.NewGuid(), UserId = "canceled", UpdatedAt = T0, LastSeenAt = T0 }, cancel.Token).AsTask();
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled);
            Execute(blocker, "COMMIT;");
            await first;
        }

        Assert.Null(await store.GetAsync("canceled"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.HeartbeatAsync("x", T0, true, cancel.Token));
    }

    [Fact]
    public async Task Reads_are_not_blocked_while_another_connection_holds_the_write_lock()
    {
        await using var store = _database.OpenStore();
        var written = await PutAsync(store, "reader-test");

        using var blocker = _database.OpenConnection();
        Execute(blocker, "BEGIN IMMEDIATE;");
        Execute(blocker, "UPDATE presence SET custom_message = 'uncommitted';");
        var read = Task.Run(async () => await store.GetAsync("reader-test"));
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(3)));
        Execute(blocker, "ROLLBACK;");

        Assert.Same(read, finished);
        Assert.Equal(written, await read);
    }

    [Fact]
    public async Task A_changed_since_read_of_more_ids_than_one_statement_sees_one_snapshot()
    {
        await using var store = _database.OpenStore();
        var ids = Enumerable.Range(0, SqliteReadConnection.MaxIdsPerStatement + 1).Select(i => $"snapshot-{i}").ToArray();
        await PutAsync(store, ids[0]);
        var after = (await PutAsync(store, ids[^1])).TransactionId;

        // ids[0] is read by the first statement and ids[^1] by the second; in between, both change, in that order.
        var watched = new IdsWithSideEffect(ids, SqliteReadConnection.MaxIdsPerStatement, () =>
        {
            PutAsync(store, ids[0], r => r with { CustomMessage = "earlier" }).AsTask().GetAwaiter().GetResult();
            PutAsync(store, ids[^1], r => r with { CustomMessage = "later" }).AsTask().GetAwaiter().GetResult();
        });
        var changed = await store.GetChangedSinceAsync(after, watched, 100);

        // A watch resuming from the store relies on one snapshot: both changes or neither, never the later alone
        // (a catch-up that delivered it would skip the earlier one for good).
        Assert.NotEqual(1, changed.Count);
    }

    /// <summary>Ids that run <paramref name="sideEffect"/> when enumeration reaches index <paramref name="at"/>.</summary>
    private sealed class IdsWithSideEffect(string[] ids, int at, Action sideEffect) : IReadOnlyCollection<string>
    {
        public int Count => ids.Length;

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < ids.Length; i++)
            {
                if (i == at)
                {
                    sideEffect();
                }

                yield return ids[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public async Task Times_are_stored_as_utc_ticks_and_statuses_as_wire_names()
    {
        await using (var store = _database.OpenStore())
        {
            await PutAsync(store, "wire", r => r with
            {
                Status = PresenceStatus.Dnd,
                StatusBeforeOffline = PresenceStatus.Away,
                LastSeenAt = new DateTimeOffset(2026, 12, 4, 17, 30, 0, TimeSpan.FromHours(5.5)),
            });
        }

        Assert.Equal("dnd/away", _database.Scalar("SELECT status || '/' || status_before_offline FROM presence WHERE user_id = 'wire';"));
        Assert.Equal(T0.UtcTicks, _database.Scalar("SELECT last_seen_at FROM presence WHERE user_id = 'wire';"));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
