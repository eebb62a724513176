using System.Diagnostics.Metrics;
using Hazel.Presence.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hazel.Presence.Sqlite.Tests;

/// <summary>A database file of its own for one test, deleted (with its WAL files) at the end.</summary>
internal sealed class TempDatabase : IDisposable
{
    private static readonly string Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hazel-presence-sqlite-tests");

    public TempDatabase()
    {
        Directory.CreateDirectory(Folder);
        Path = System.IO.Path.Combine(Folder, $"{Guid.NewGuid():N}.db");
    }

    public string Path { get; }

    public string ConnectionString => $"Data Source={Path}";

    public SqlitePresenceStore OpenStore(
        IPresenceChangeSink? sink = null,
        Action<SqlitePresenceOptions>? configure = null,
        ILogger<SqlitePresenceStore>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        var options = new SqlitePresenceOptions { ConnectionString = ConnectionString };
        configure?.Invoke(options);
        return new SqlitePresenceStore(Options.Create(options), sink ?? new Testing.RecordingSink(), logger ?? NullLogger<SqlitePresenceStore>.Instance, meterFactory);
    }

    /// <summary>A plain connection for inspecting or locking the file.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try
            {
                File.Delete(Path + suffix);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp file is harmless.
            }
        }
    }
}
