using Hazel.Presence.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hazel.Presence.Sqlite.Tests;

public sealed class SqliteHostingTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private ServiceProvider BuildHost(TimeProvider time, Action<SqlitePresenceOptions>? configure = null)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time);
        services.AddHazelPresence(o => o.RunSweeper = false).UseSqlite(_database.ConnectionString, configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void UseSqlite_replaces_the_in_memory_store_in_any_order_and_registers_once()
    {
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddHazelPresence();
        builder.UseSqlite(_database.ConnectionString);
        builder.UseSqlite(_database.ConnectionString, o => o.MaxBatchSize = 10);
        services.AddHazelPresence();

        Assert.Single(services, d => d.ServiceType == typeof(IPresenceStore));
        Assert.Single(services, d => d.ServiceType == typeof(SqlitePresenceStore));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<SqlitePresenceOptions>));
        using var provider = services.BuildServiceProvider();
        Assert.IsType<SqlitePresenceStore>(provider.GetRequiredService<IPresenceStore>());
        Assert.Equal(10, provider.GetRequiredService<IOptions<SqlitePresenceOptions>>().Value.MaxBatchSize);
    }

    [Theory]
    [InlineData("Data Source=:memory:", null, "ConnectionString")]
    [InlineData("Data Source=x.db;Mode=Memory", null, "ConnectionString")]
    [InlineData("Data Source=x.db;Mode=ReadOnly", null, "ConnectionString")]
    [InlineData("Data Source=x.db;Cache=Shared", null, "ConnectionString")]
    [InlineData(null, nameof(SqlitePresenceOptions.MaxBatchSize), "MaxBatchSize")]
    [InlineData(null, nameof(SqlitePresenceOptions.BusyTimeout), "BusyTimeout")]
    [InlineData(null, nameof(SqlitePresenceOptions.MaxPooledReadConnections), "MaxPooledReadConnections")]
    [InlineData(null, nameof(SqlitePresenceOptions.Durability), "Durability")]
    public void Invalid_options_fail_at_start_up_naming_the_option(string? connectionString, string? broken, string named)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHazelPresence().UseSqlite(connectionString ?? _database.ConnectionString, o =>
        {
            switch (broken)
            {
                case nameof(SqlitePresenceOptions.MaxBatchSize): o.MaxBatchSize = 0; break;
                case nameof(SqlitePresenceOptions.BusyTimeout): o.BusyTimeout = TimeSpan.FromSeconds(-1); break;
                case nameof(SqlitePresenceOptions.MaxPooledReadConnections): o.MaxPooledReadConnections = 0; break;
                case nameof(SqlitePresenceOptions.Durability): o.Durability = (SqliteDurability)7; break;
            }
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseSqlite_requires_a_connection_string()
    {
        var builder = new ServiceCollection().AddHazelPresence();
        Assert.Throws<ArgumentException>(() => builder.UseSqlite(" "));
    }

    [Fact]
    public async Task Presence_survives_a_restart_and_stale_users_are_swept_after_it()
    {
        var time = new FakeTimeProvider(T0);
        long lastTransactionId;
        await using (var first = BuildHost(time))
        {
            var presence = first.GetRequiredService<IPresenceService>();
            await presence.UpdateAsync("alice", new PresenceUpdate { Status = PresenceStatus.Busy, CustomMessage = "In a meeting" });
            await presence.HeartbeatAsync("bob");
            time.Advance(TimeSpan.FromSeconds(30));
            lastTransactionId = (await presence.UpdateAsync("carol", new PresenceUpdate { StatusEmoji = "🌴" })).TransactionId;
        }

        // Down for three minutes: everyone is stale when the host comes back.
        time.Advance(TimeSpan.FromMinutes(3));
        await using var second = BuildHost(time);
        var restarted = second.GetRequiredService<IPresenceService>();
        var before = await restarted.GetManyAsync(["alice", "bob", "carol"]);
        Assert.Equal("In a meeting", before[0].CustomMessage);
        Assert.Equal("🌴", before[2].StatusEmoji);

        var swept = await restarted.SweepOnceAsync();

        Assert.Equal(3, swept.MarkedOffline);
        var alice = await restarted.GetAsync("alice");
        Assert.Equal(PresenceStatus.Offline, alice.Status);
        Assert.Equal(PresenceStatus.Busy, alice.StatusBeforeOffline);
        Assert.True(alice.TransactionId > lastTransactionId);

        await restarted.HeartbeatAsync("alice");
        var back = await restarted.GetAsync("alice");
        Assert.Equal(PresenceStatus.Busy, back.Status);
        Assert.True(back.TransactionId > alice.TransactionId);
        Assert.Equal(time.GetUtcNow(), back.LastSeenAt);
    }
}
