using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.Middleware.Tests.Infrastructure;

/// <summary>
/// A plain YARP host that embeds the gate as docs/embedding.md shows (not this repository's host, whose own
/// appsettings.json quiets YARP), with the logging configuration of a fresh <c>dotnet new web</c> project, on a test
/// server; one gated route, <c>/sms_codes/{mobile}/</c>, to the provider's <c>/send/{mobile}</c>, and the in-process
/// store. Its logs are collected at the levels that configuration sets.
/// </summary>
public sealed class EmbeddedHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeLoggerProvider _logProvider;

    private EmbeddedHost(WebApplication app, FakeLoggerProvider logProvider, FakeLogCollector logs)
    {
        _app = app;
        _logProvider = logProvider;
        Logs = logs;
    }

    public FakeLogCollector Logs { get; }

    public IServiceProvider Services => _app.Services;

    public HttpClient CreateClient() => _app.GetTestClient();

    /// <summary>Starts the host; <paramref name="configureServices"/> runs after the gate is added.</summary>
    public static async Task<EmbeddedHost> StartAsync(Uri provider, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        // No file watchers (inotify instances are few, and shared by every test host on the machine).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseTestServer();

        // Not the appsettings.json beside the tests (the gateway's, which quiets YARP) nor the environment's settings.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // appsettings.json of `dotnet new web`.
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["ReverseProxy:Routes:sms:ClusterId"] = "sms-provider",
            ["ReverseProxy:Routes:sms:Match:Path"] = "/sms_codes/{mobile}/",
            ["ReverseProxy:Routes:sms:Match:Methods:0"] = "GET",
            ["ReverseProxy:Routes:sms:Metadata:SmsCodePolicy"] = "shop",
            ["ReverseProxy:Routes:sms:Transforms:0:PathPattern"] = "/send/{mobile}",
            ["ReverseProxy:Clusters:sms-provider:Destinations:a:Address"] = provider.ToString(),
            ["ReverseProxy:Clusters:sms-provider:Metadata:SmsProvider"] = "true",
            ["SmsCodeGate:Policies:shop:Database"] = "2",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var logs = new FakeLogCollector();
        var logProvider = new FakeLoggerProvider(logs);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logProvider);
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddSmsCodeGate(builder.Configuration.GetSection("SmsCodeGate"));
        builder.Services.AddHealthChecks().AddSmsCodeStoreCheck();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapHealthChecks("/readyz");
        app.MapReverseProxy(proxy =>
        {
            proxy.UseSmsCodeGate();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        await app.StartAsync();
        return new EmbeddedHost(app, logProvider, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _logProvider.Dispose();
    }
}
