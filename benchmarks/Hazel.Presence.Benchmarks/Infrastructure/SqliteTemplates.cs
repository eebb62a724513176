using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Hazel.Presence.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hazel.Presence.Benchmarks.Infrastructure;

/// <summary>
/// Seeded SQLite databases, built once through the store itself (so they hold exactly what the store writes,
/// with its schema) and cached under the temp folder, keyed by a hash of the core's and the SQLite store's
/// sources: a changed store gets fresh templates. Seeding 1M users takes a minute or so the first time.
/// </summary>
public static class SqliteTemplates
{
    private static readonly string[] SourceFolders = ["src/Hazel.Presence", "src/Hazel.Presence.Sqlite"];

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

    /// <summary>
    /// A hash of the sources of the core and the SQLite store (what decides the rows a template holds). Not of the
    /// built assemblies: BenchmarkDotNet's per-case processes build their own, with other bytes.
    /// </summary>
    private static string Fingerprint()
    {
        var root = typeof(SqliteTemplates).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "HazelRepositoryRoot")?.Value;
        var sources = SourceFolders
            .Select(folder => Path.Combine(root ?? "", folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains("/obj/", StringComparison.Ordinal) && !file.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (root is null || sources.Count == 0)
        {
            throw new InvalidOperationException("The benchmarks must run from a build of the repository (the store's sources key the SQLite templates).");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in sources)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file)));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }
}
