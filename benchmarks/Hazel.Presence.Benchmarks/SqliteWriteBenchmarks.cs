using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Hazel.Presence.Benchmarks.Infrastructure;
using Hazel.Presence.Sqlite;
using Microsoft.Data.Sqlite;

namespace Hazel.Presence.Benchmarks;

/// <summary>
/// Scenario 2: heartbeats and updates through the service on the SQLite store (group commit), with 1, 16 and 256
/// concurrent callers, at synchronous FULL and NORMAL, on 100k seeded users (each operation a different user).
/// Baseline: the same operations with one transaction per call on the same schema (a copy of the same database,
/// one connection, calls serialized, same pragmas) - the best a store without group commit can do, since SQLite
/// has one writer. Ceiling: 100 prepared UPDATEs per transaction on one connection, no callers (the rows/s raw
/// SQLite reaches batched; the same for every caller count). One operation = one heartbeat or update; the time
/// per operation is wall time over all callers, the inverse of throughput. Targets with 256 callers: the store at
/// least 6x the baseline at FULL (Ratio at most 0.167) and at least 0.7x the ceiling.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[InvocationCount(1, 1)]
public class SqliteWriteBenchmarks
{
    private const int Users = 100_000;
    private const int Operations = 2048;
    private const int CeilingBatch = 100;
    private const string Template = "writes-100k";

    private static readonly PresenceUpdate[] Updates =
    [
        new() { Status = PresenceStatus.Busy, CustomMessage = "In a meeting", StatusEmoji = "📅", ActiveChannelId = "channel-a" },
        new() { Status = PresenceStatus.Online, CustomMessage = "Back at 3", StatusEmoji = "☕", ActiveChannelId = "channel-b" },
    ];

    private readonly SettableTimeProvider _seedClock = new(BenchUsers.Epoch);
    private string[] _order = [];
    private int _next;
    private StoreFixture? _store;
    private RawSqlite? _raw;

    public static IEnumerable<int> CallerCounts => BenchMode.Quick ? [256] : [1, 16, 256];

    [Params(SqliteDurability.Full, SqliteDurability.Normal)]
    public SqliteDurability Durability { get; set; }

    [ParamsSource(nameof(CallerCounts))]
    public int Callers { get; set; }

    [GlobalSetup(Targets = [nameof(Heartbeat_Store), nameof(Update_Store)])]
    public async Task SetupStoreAsync()
    {
        ShuffleUsers();
        _store = await StoreFixture.CreateAsync(BenchStore.Sqlite, _seedClock, Template, null, SeedAsync, Durability, TimeProvider.System);
    }

    [GlobalSetup(Targets = [nameof(Heartbeat_OneTransactionPerCall), nameof(Update_OneTransactionPerCall), nameof(Heartbeat_Batched100Ceiling), nameof(Update_Batched100Ceiling)])]
    public async Task SetupRawAsync()
    {
        ShuffleUsers();
        var template = await SqliteTemplates.GetOrCreateAsync(Template, _seedClock, SeedAsync);
        _raw = RawSqlite.Open(template, Durability);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }

        _raw?.Dispose();
        _raw = null;
    }

    [BenchmarkCategory("Heartbeat")]
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task Heartbeat_OneTransactionPerCall() => RunAsync((id, _) => _raw!.HeartbeatOneTransactionAsync(id));

    [BenchmarkCategory("Heartbeat")]
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task Heartbeat_Store()
    {
        var service = _store!.Service;
        return RunAsync(async (id, _) => await service.HeartbeatAsync(id));
    }

    [BenchmarkCategory("Heartbeat")]
    [Benchmark(OperationsPerInvoke = Operations)]
    public void Heartbeat_Batched100Ceiling() => _raw!.Batched(NextUsers(Operations), CeilingBatch, update: null);

    [BenchmarkCategory("Update")]
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task Update_OneTransactionPerCall() => RunAsync((id, i) => _raw!.UpdateOneTransactionAsync(id, Updates[i & 1]));

    [BenchmarkCategory("Update")]
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task Update_Store()
    {
        var service = _store!.Service;
        return RunAsync(async (id, i) => await service.UpdateAsync(id, Updates[i & 1]));
    }

    [BenchmarkCategory("Update")]
    [Benchmark(OperationsPerInvoke = Operations)]
    public void Update_Batched100Ceiling() => _raw!.Batched(NextUsers(Operations), CeilingBatch, Updates[0]);

    private Task RunAsync(Func<string, int, ValueTask> operation) =>
        Parallelism.RunCallersAsync(Callers, Operations / Callers, (_, i) =>
        {
            var index = Interlocked.Increment(ref _next);
            return operation(_order[index % _order.Length], i);
        });

    private string[] NextUsers(int count)
    {
        var users = new string[count];
        for (var i = 0; i < count; i++)
        {
            users[i] = _order[++_next % _order.Length];
        }

        return users;
    }

    private void ShuffleUsers()
    {
        _order = BenchUsers.Shuffled(BenchUsers.Ids(Users));
        _next = 0;
    }

    private Task SeedAsync(IPresenceService service)
    {
        _seedClock.Now = BenchUsers.Epoch;
        return Seeding.HeartbeatAllAsync(service, BenchUsers.Ids(Users));
    }

    /// <summary>
    /// The baselines: plain SQL on a private copy of the same seeded database, with the pragmas the store sets.
    /// A heartbeat is one UPDATE of last-seen; an update allocates the next transaction id and writes the fields.
    /// </summary>
    private sealed class RawSqlite : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly string _directory;
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _heartbeat;
        private readonly SqliteCommand _nextTransactionId;
        private readonly SqliteCommand _update;
        private readonly SqliteCommand _setSequence;
        private long _transactionId;

        private RawSqlite(string directory, string path, SqliteDurability durability)
        {
            _directory = directory;
            _connection = new SqliteConnection(SqliteTemplates.ConnectionString(path));
            _connection.Open();
            Execute($"PRAGMA busy_timeout = 5000; PRAGMA synchronous = {(durability == SqliteDurability.Full ? "FULL" : "NORMAL")};");

            _heartbeat = Prepare("UPDATE presence SET last_seen_at = max(last_seen_at, $now) WHERE user_id = $user;", "$now", "$user");
            _nextTransactionId = Prepare("UPDATE presence_sequence SET last_transaction_id = last_transaction_id + 1 WHERE id = 0 RETURNING last_transaction_id;");
            _update = Prepare(
                """
                UPDATE presence SET status = $status, custom_message = $message, status_emoji = $emoji,
                    active_channel_id = $channel, updated_at = $now, last_seen_at = max(last_seen_at, $now),
                    status_before_offline = NULL, transaction_id = $tx
                WHERE user_id = $user;
                """,
                "$status", "$message", "$emoji", "$channel", "$now", "$tx", "$user");
            _setSequence = Prepare("UPDATE presence_sequence SET last_transaction_id = $tx WHERE id = 0;", "$tx");
            using var read = _connection.CreateCommand();
            read.CommandText = "SELECT last_transaction_id FROM presence_sequence WHERE id = 0;";
            _transactionId = (long)read.ExecuteScalar()!;
        }

        /// <summary>Opens a private copy of <paramref name="template"/>.</summary>
        public static RawSqlite Open(string template, SqliteDurability durability)
        {
            var directory = Directory.CreateTempSubdirectory("hazel-presence-bench-").FullName;
            var path = Path.Combine(directory, "presence.db");
            File.Copy(template, path);
            return new RawSqlite(directory, path, durability);
        }

        public async ValueTask HeartbeatOneTransactionAsync(string userId)
        {
            await _gate.WaitAsync();
            try
            {
                _heartbeat.Parameters[0].Value = TimeProvider.System.GetUtcNow().UtcTicks;
                _heartbeat.Parameters[1].Value = userId;
                _heartbeat.ExecuteNonQuery();
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask UpdateOneTransactionAsync(string userId, PresenceUpdate update)
        {
            await _gate.WaitAsync();
            try
            {
                using var transaction = _connection.BeginTransaction();
                _nextTransactionId.Transaction = transaction;
                _update.Transaction = transaction;
                var tx = (long)_nextTransactionId.ExecuteScalar()!;
                Bind(_update, userId, update, tx);
                _update.ExecuteNonQuery();
                transaction.Commit();
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>The raw ceiling: <paramref name="batch"/> prepared UPDATEs per transaction.</summary>
        public void Batched(string[] userIds, int batch, PresenceUpdate? update)
        {
            for (var start = 0; start < userIds.Length; start += batch)
            {
                using var transaction = _connection.BeginTransaction();
                _heartbeat.Transaction = transaction;
                _update.Transaction = transaction;
                _setSequence.Transaction = transaction;
                var now = TimeProvider.System.GetUtcNow().UtcTicks;
                for (var i = start; i < Math.Min(start + batch, userIds.Length); i++)
                {
                    if (update is null)
                    {
                        _heartbeat.Parameters[0].Value = now;
                        _heartbeat.Parameters[1].Value = userIds[i];
                        _heartbeat.ExecuteNonQuery();
                    }
                    else
                    {
                        Bind(_update, userIds[i], update, ++_transactionId);
                        _update.ExecuteNonQuery();
                    }
                }

                if (update is not null)
                {
                    _setSequence.Parameters[0].Value = _transactionId;
                    _setSequence.ExecuteNonQuery();
                }

                transaction.Commit();
            }

            _heartbeat.Transaction = null;
            _update.Transaction = null;
            _setSequence.Transaction = null;
        }

        public void Dispose()
        {
            _heartbeat.Dispose();
            _nextTransactionId.Dispose();
            _update.Dispose();
            _setSequence.Dispose();
            _connection.Dispose();
            _gate.Dispose();
            SqliteTemplates.ClearPools();
            Directory.Delete(_directory, recursive: true);
        }

        private static void Bind(SqliteCommand command, string userId, PresenceUpdate update, long transactionId)
        {
            var p = command.Parameters;
            p[0].Value = update.Status.Value.ToString().ToLowerInvariant();
            p[1].Value = (object?)update.CustomMessage.Value ?? DBNull.Value;
            p[2].Value = (object?)update.StatusEmoji.Value ?? DBNull.Value;
            p[3].Value = (object?)update.ActiveChannelId.Value ?? DBNull.Value;
            p[4].Value = TimeProvider.System.GetUtcNow().UtcTicks;
            p[5].Value = transactionId;
            p[6].Value = userId;
        }

        private SqliteCommand Prepare(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            return command;
        }

        private void Execute(string sql)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
