using System.Security.Cryptography;
using Hazel.Presence.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>
/// Seeded SQLite databases, built once through the store itself (so they hold exactly what the store writes,
/// with its schema) and cached under the temp folder, keyed by a hash of the core and SQLite assemblies: a
/// changed store gets fresh templates. Seeding 1M users takes a minute or so the first time.
/// </summary>
public static class SqliteTemplates
{
    private static readonly Lazy<string> Root = new(() =>
        Path.Combine(Path.GetTempPath(), "hazel-presence-bench-templates", Fingerprint()));

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder { DataSource = path }.ToString();

    public static void UseSqlite(IPresenceBuilder builder, string path, SqliteDurability durability) =>
        builder.UseSqlite(ConnectionString(path), o => o.Durability = durability);

    public static async Task<string> GetOrCreateAsync(string name, SettableTimeProvider clock, Func<IPresenceService, Task> seed)
    {
        var path = Path.Combine(Root.Value, name + ".db");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(Root.Value);
        var building = Path.Combine(Root.Value, $"{name}.{Environment.ProcessId}.building.db");
        Console.WriteLine($"// Seeding SQLite template {path} (once; later runs reuse it)");
        var fixture = new PresenceFixture(clock, b => UseSqlite(b, building, SqliteDurability.Normal));
        await using (fixture.ConfigureAwait(false))
        {
            await seed(fixture.Service);
        }

        using (var connection = new SqliteConnection(ConnectionString(building)))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }

        ClearPools();
        File.Move(building, path, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            File.Delete(building + suffix);
        }

        return path;
    }

    public static void ClearPools() => SqliteConnection.ClearAllPools();

    private static string Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var assembly in new[] { typeof(IPresenceService).Assembly, typeof(SqlitePresenceOptions).Assembly })
        {
            hash.AppendData(File.ReadAllBytes(assembly.Location));
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }
}
