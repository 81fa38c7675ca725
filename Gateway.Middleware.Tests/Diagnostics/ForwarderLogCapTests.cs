using System.Net;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Gateway.Middleware.Tests.Diagnostics;

/// <summary>
/// YARP logs each request's destination URL at Information; with a provider path that holds the mobile, a host with
/// `dotnet new web`'s logging would write full mobiles. The gate caps that category by itself.
/// </summary>
public sealed class ForwarderLogCapTests : IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = _resources.Add(await RecordingSmsProvider.StartAsync());
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Fact]
    public async Task Send_EmbeddedWithDefaultWebLogging_NoFullMobileInAnyLog()
    {
        var host = _resources.Add(await EmbeddedHost.StartAsync(_provider.Address));
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);

        Assert.Single(_provider.RequestsFor(mobile));
        var records = host.Logs.GetSnapshot();
        Assert.Contains(records, record => record.Level == LogLevel.Information); // the collector sees Information
        Assert.DoesNotContain(records, record => record.FullText().Contains(mobile, StringComparison.Ordinal));
        Assert.DoesNotContain(records, record => record.Category == ForwarderLogCap.Category && record.Level < LogLevel.Warning);
    }

    [Fact]
    public async Task Send_EmbeddedWithoutTheCap_YarpLogsTheFullMobile()
    {
        // The same host without the cap: what it keeps out.
        var host = _resources.Add(await EmbeddedHost.StartAsync(_provider.Address, configureServices: services =>
            services.RemoveAll<IPostConfigureOptions<LoggerFilterOptions>>()));
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);

        Assert.Contains(host.Logs.GetSnapshot(), record => record.Category == ForwarderLogCap.Category
            && record.Level == LogLevel.Information && record.FullText().Contains($"/send/{mobile}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Logging:LogLevel:Yarp.ReverseProxy.Forwarder.HttpForwarder", "Debug")]
    [InlineData("Logging:LogLevel:Yarp", "Trace")]
    [InlineData("Logging:Fake:LogLevel:Default", "Debug")]
    [InlineData("Logging:Microsoft.Extensions.Logging.Testing.FakeLoggerProvider:LogLevel:Yarp", "Debug")]
    [InlineData("Logging:Fake:LogLevel:Yarp.ReverseProxy.Forwarder.HttpForwarder", "Information")]
    public void PostConfigure_ConfigurationLowersTheForwardersLevel_StillCappedAtWarning(string key, string level)
    {
        using var factory = LoggerFactoryWith(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information", [key] = level });

        var forwarder = factory.CreateLogger(ForwarderLogCap.Category);

        Assert.False(forwarder.IsEnabled(LogLevel.Information));
        Assert.True(forwarder.IsEnabled(LogLevel.Warning));
        if (!key.EndsWith(ForwarderLogCap.Category, StringComparison.Ordinal))
        {
            // The rule took effect for YARP's other categories: only the forwarder's is capped.
            Assert.True(factory.CreateLogger("Yarp.ReverseProxy.Routing.Other").IsEnabled(Enum.Parse<LogLevel>(level)));
        }
    }

    [Fact]
    public void PostConfigure_ConfigurationRaisesTheForwardersLevel_KeepsIt()
    {
        using var factory = LoggerFactoryWith(new Dictionary<string, string?> { ["Logging:LogLevel:Yarp"] = "Error" });

        Assert.False(factory.CreateLogger(ForwarderLogCap.Category).IsEnabled(LogLevel.Warning));
    }

    private static ILoggerFactory LoggerFactoryWith(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            logging.AddProvider(new FakeLoggerProvider());
        });
        services.AddReverseProxy().AddSmsCodeGate(configuration.GetSection("SmsCodeGate"));
        return services.BuildServiceProvider().GetRequiredService<ILoggerFactory>();
    }
}
