using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using Hazel.Presence.SampleHost;
using Hazel.Presence.SampleHost.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Hazel.Presence.SampleHost.Tests;

/// <summary>The sample host running in-process on Kestrel at 127.0.0.1 on an ephemeral port, with its own data folder.</summary>
internal sealed class SampleHost : IAsyncDisposable
{
    private readonly bool _ownsDataDirectory;

    private SampleHost(WebApplication app, Uri baseAddress, string dataDirectory, bool ownsDataDirectory)
    {
        App = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public HttpClient Client { get; }

    public static string ContentRoot { get; } = typeof(SampleHost).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SampleHostContentRoot").Value!;

    /// <summary>Starts the host; <paramref name="dataDirectory"/> defaults to a fresh temporary folder deleted on dispose.</summary>
    public static async Task<SampleHost> StartAsync(
        string environment = "Development",
        IDictionary<string, string?>? settings = null,
        string? dataDirectory = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("hazel-sample-").FullName;
        var configuration = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Sample:DataDirectory"] = dataDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
            ["shutdownTimeoutSeconds"] = "5",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        try
        {
            var app = SampleHostApp.Build(
                new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = ContentRoot },
                configuration);
            await app.StartAsync(TestContext.Current.CancellationToken);
            return new SampleHost(app, new Uri(app.Urls.Single()), dataDirectory, owns);
        }
        catch when (owns)
        {
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }
    }

    public async Task<SignInResponse> SignInAsync(string userName)
    {
        var response = await Client.PostAsJsonAsync("/auth/sign-in", new { userName }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SignInResponse>(TestContext.Current.CancellationToken))!;
    }

    public static HttpRequestMessage Authorized(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        if (_ownsDataDirectory)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
