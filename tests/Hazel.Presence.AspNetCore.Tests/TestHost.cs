using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Hazel.Presence.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hazel.Presence.AspNetCore.Tests;

/// <summary>
/// Like the transcripts' reference server: <c>Bearer user:&lt;id&gt;</c> authenticates as <c>sub = id</c>;
/// <c>Bearer noid</c> authenticates a principal without any id claim; any other token fails.
/// Counts instances, to show that RPC messages get a fresh handler each.
/// </summary>
internal sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.Fail("Not a bearer token"));
        }

        var token = header["Bearer ".Length..];
        Claim[] claims;
        if (token.StartsWith("user:", StringComparison.Ordinal) && token.Length > "user:".Length)
        {
            claims = [new Claim("sub", token["user:".Length..]), new Claim("name", "test user")];
        }
        else if (token == "noid")
        {
            claims = [new Claim("name", "no id")];
        }
        else
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid bearer token"));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}

/// <summary>A Kestrel host on 127.0.0.1 with an ephemeral port, test authentication and the presence endpoints.</summary>
internal sealed class PresenceTestHost : IAsyncDisposable
{
    private PresenceTestHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(20) };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>Requests that finished on the server (path, exception or null).</summary>
    public ConcurrentQueue<(string Path, Exception? Error)> Completed { get; } = new();

    public IPresenceService Presence => App.Services.GetRequiredService<IPresenceService>();

    public static async Task<PresenceTestHost> StartAsync(
        Action<IServiceCollection>? services = null,
        Action<PresenceEndpointOptions>? endpointOptions = null,
        TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        // 1,000 ids in a query string exceed Kestrel's default 8 KiB request line.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestLineSize = 64 * 1024);
        builder.Logging.ClearProviders();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddAuthentication(TestAuthHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddHazelPresence(o => o.RunSweeper = false).AddPresenceEndpoints(endpointOptions);

        // After AddHazelPresence, so that a test's registration wins over the defaults.
        services?.Invoke(builder.Services);

        var app = builder.Build();
        PresenceTestHost? host = null;
        app.Use(async (context, next) =>
        {
            Exception? error = null;
            try
            {
                await next(context);
            }
            catch (Exception ex)
            {
                error = ex;
                throw;
            }
            finally
            {
                host?.Completed.Enqueue((context.Request.Path.Value ?? "", error));
            }
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHazelPresence();
        app.MapHazelPresenceRpc();
        await app.StartAsync(TestContext.Current.CancellationToken);
        host = new PresenceTestHost(app, new Uri(app.Urls.First()));
        return host;
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? user, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user == "noid" || user.StartsWith("bad", StringComparison.Ordinal) ? user : "user:" + user);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? user, string? json = null) =>
        await Client.SendAsync(Request(method, path, user, json), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
