using Hazel.Presence.SampleHost.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Hazel.Presence.SampleHost;

/// <summary>
/// Builds the sample host. <c>Program.cs</c> runs it; the tests call <see cref="Build"/> with their own
/// environment, content root and configuration and start it on an ephemeral port.
/// </summary>
public static class SampleHostApp
{
    /// <summary>Creates the configured application (not started).</summary>
    /// <param name="options">Environment, content root, web root and command-line arguments.</param>
    /// <param name="configurationOverrides">Settings applied after every other configuration source.</param>
    public static WebApplication Build(
        WebApplicationOptions options,
        IEnumerable<KeyValuePair<string, string?>>? configurationOverrides = null)
    {
        var builder = WebApplication.CreateBuilder(options);
        if (configurationOverrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(configurationOverrides);
        }

        ConfigureServices(builder);
        var app = builder.Build();
        ConfigurePipeline(app);
        return app;
    }

    private static void ConfigureServices(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var dataDirectory = Path.GetFullPath(
            configuration["Sample:DataDirectory"] is { Length: > 0 } configured ? configured : "App_Data",
            builder.Environment.ContentRootPath);
        Directory.CreateDirectory(dataDirectory);

        var presence = builder.Services.AddHazelPresence(o => configuration.GetSection("Presence").Bind(o));
        var store = configuration["Sample:Store"] is { Length: > 0 } s ? s : "sqlite";
        switch (store.ToUpperInvariant())
        {
            case "SQLITE":
                var connectionString = configuration.GetConnectionString("Presence") is { Length: > 0 } cs
                    ? cs
                    : new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "presence.db") }.ToString();
                presence.UseSqlite(connectionString);
                break;
            case "MEMORY":
                break;
            default:
                throw new InvalidOperationException(
                    $"Sample:Store is '{store}'; use 'sqlite' (the default) or 'memory'.");
        }

        var signingKey = SigningKeys.Load(configuration, dataDirectory);
        builder.Services.AddSingleton(new TokenIssuer(signingKey, configuration));
        builder.Services.AddSingleton(new UserDirectory(Path.Combine(dataDirectory, "users.json")));
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                // Keep "sub" as "sub": the presence endpoints read the user id from it.
                o.MapInboundClaims = false;
                o.TokenValidationParameters = TokenIssuer.ValidationParameters(signingKey);
            });
        builder.Services.AddAuthorization();

        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks().AddCheck<PresenceStoreHealthCheck>("presence-store");
    }

    private static void ConfigurePipeline(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHazelPresence();
        app.MapHazelPresenceRpc();
        app.MapOpenApi();
        app.MapHealthChecks("/health", new HealthCheckOptions { AllowCachingResponses = false });
        app.MapGet("/sample/config", GetClientConfig).AllowAnonymous().WithTags("Sample");

        if (app.Environment.IsDevelopment())
        {
            SignInEndpoints.Map(app);
        }

        if (app.Configuration.GetValue<bool>("Benchmark:MapNoopEndpoint"))
        {
            // The ceiling for HTTP load tests: the same authentication, no presence work.
            app.MapPost("/bench/noop", () => TypedResults.NoContent()).RequireAuthorization().ExcludeFromDescription();
        }
    }

    private static ClientConfig GetClientConfig(IHostEnvironment environment, IOptions<PresenceOptions> options)
    {
        // A third of the timeout leaves two missed beats before the sweeper would mark the user offline.
        var interval = Math.Clamp(options.Value.OfflineAfter.TotalSeconds / 3, 1, 30);
        return new ClientConfig(
            environment.IsDevelopment(),
            Math.Round(interval, 1, MidpointRounding.AwayFromZero),
            options.Value.OfflineAfter.TotalSeconds);
    }
}

/// <summary>What the page needs to know about the host.</summary>
/// <param name="SignInAvailable">Whether the Development sign-in endpoint exists.</param>
/// <param name="HeartbeatIntervalSeconds">How often the page sends a heartbeat.</param>
/// <param name="OfflineAfterSeconds">The server's offline timeout, for display.</param>
public sealed record ClientConfig(bool SignInAvailable, double HeartbeatIntervalSeconds, double OfflineAfterSeconds);
