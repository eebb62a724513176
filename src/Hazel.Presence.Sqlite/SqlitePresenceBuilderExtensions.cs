using Hazel.Presence;
using Hazel.Presence.Sqlite;
using Hazel.Presence.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite presence store.</summary>
public static class SqlitePresenceBuilderExtensions
{
    /// <summary>
    /// Stores presence in the SQLite database of <paramref name="connectionString"/> (e.g.
    /// <c>Data Source=presence.db</c>) instead of in memory. The schema is created and migrated when the store
    /// starts. Call order relative to <c>AddHazelPresence</c> does not matter and calling it again registers the
    /// store once (the last connection string and every <paramref name="configure"/> apply).
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHazelPresence</c>.</param>
    /// <param name="connectionString">The SQLite connection string; must name a file.</param>
    /// <param name="configure">Adjusts the other <see cref="SqlitePresenceOptions"/>.</param>
    /// <returns>The same builder.</returns>
    public static IPresenceBuilder UseSqlite(this IPresenceBuilder builder, string connectionString, Action<SqlitePresenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var services = builder.Services;

        var options = services.AddOptions<SqlitePresenceOptions>().Configure(o => o.ConnectionString = connectionString);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(SqlitePresenceStore)))
        {
            options.ValidateOnStart();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqlitePresenceOptions>, SqlitePresenceOptionsValidator>());
        services.TryAddSingleton<SqlitePresenceStore>();
        services.RemoveAll<IPresenceStore>();
        services.AddSingleton<IPresenceStore>(static sp => sp.GetRequiredService<SqlitePresenceStore>());
        return builder;
    }
}
