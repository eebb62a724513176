using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Hazel.Presence.Sqlite;

internal sealed class SqlitePresenceOptionsValidator : IValidateOptions<SqlitePresenceOptions>
{
    public ValidateOptionsResult Validate(string? name, SqlitePresenceOptions options)
    {
        var failures = new List<string>();
        ValidateConnectionString(failures, options.ConnectionString);
        if (!Enum.IsDefined(options.Durability))
        {
            failures.Add($"{nameof(SqlitePresenceOptions.Durability)} must be Full or Normal (was {options.Durability}).");
        }

        if (options.MaxBatchSize is < 1 or > 100_000)
        {
            failures.Add($"{nameof(SqlitePresenceOptions.MaxBatchSize)} must be between 1 and 100000 (was {options.MaxBatchSize}).");
        }

        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{nameof(SqlitePresenceOptions.BusyTimeout)} must be between 0 and 10 minutes (was {options.BusyTimeout}).");
        }

        if (options.MaxPooledReadConnections is < 1 or > 256)
        {
            failures.Add($"{nameof(SqlitePresenceOptions.MaxPooledReadConnections)} must be between 1 and 256 (was {options.MaxPooledReadConnections}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConnectionString(List<string> failures, string? connectionString)
    {
        const string Name = nameof(SqlitePresenceOptions.ConnectionString);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add($"{Name} is required: pass one to UseSqlite, e.g. \"Data Source=presence.db\".");
            return;
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{Name} is not a valid SQLite connection string: {ex.Message}");
            return;
        }

        // The store opens one writer and several readers: each would get its own private in-memory database.
        if (string.IsNullOrWhiteSpace(builder.DataSource)
            || builder.DataSource == ":memory:"
            || builder.Mode == SqliteOpenMode.Memory)
        {
            failures.Add($"{Name} must name a database file (in-memory databases are not supported; use a temporary file instead).");
        }

        // Shared cache replaces WAL's snapshot isolation with table locks: readers would wait for the writer.
        if (builder.Cache == SqliteCacheMode.Shared)
        {
            failures.Add($"{Name} must not use Cache=Shared: the store relies on WAL so that reads never wait for writes.");
        }

        if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            failures.Add($"{Name} must not use Mode=ReadOnly: the store writes to the database.");
        }
    }
}
