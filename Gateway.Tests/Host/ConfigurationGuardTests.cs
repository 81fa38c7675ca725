using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Host;

/// <summary>
/// The real host guarding its own configuration: what cannot start, what a reload cannot break, and the warnings for
/// what is legal but likely wrong.
/// </summary>
public sealed class ConfigurationGuardTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync() => _provider = _resources.Add(await RecordingSmsProvider.StartAsync());

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData("SmsCodePolicyy")]
    [InlineData("smscodepolicy")]
    [InlineData("SmCodePolicy")]
    [InlineData("CodePolicy")]
    public async Task Start_SendRouteWithAMisspeltGateKey_CannotStart(string key)
    {
        var config = Config();
        config.GatedRoute["Metadata"] = new JsonObject { [key] = GatewayConfig.PolicyName };
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains($"Metadata:{key} is not a gate key", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(_provider.Requests);
    }

    [Fact]
    public async Task Start_VerifyEndpointToAMissingCluster_CannotStart()
    {
        var config = Config().WithVerifyRoutes();
        config.Root["ReverseProxy"]!["Routes"]!["sms-verify"]!["ClusterId"] = "nowhere";
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("Route 'sms-verify': ClusterId 'nowhere' names no cluster", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SendRouteToAnUnmarkedClusterAllowedByTheRoute_Sends()
    {
        var config = Config();
        config.Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!.AsObject().Remove("Metadata");
        config.GatedRoute["Metadata"]!["SmsProviderUnmarked"] = "allow";
        var host = _resources.Add(new GatewayHost(config).Start());
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);
        Assert.Single(_provider.RequestsFor(mobile));
    }

    [Theory]
    [InlineData("misspelt gate key")]
    [InlineData("missing cluster")]
    [InlineData("provider unmarked")]
    [InlineData("unknown route key")]
    public async Task Reload_BreakingAGuard_KeepsTheGateAndLogsWhy(string mistake)
    {
        var config = Config();
        var host = _resources.Add(new GatewayHost(config).Start());
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        var expected = Break(config, mistake);
        config.WriteTo(host.ConfigPath);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(
            host.Logs.GetSnapshot().Any(l => l.Level >= LogLevel.Error && l.FullText().Contains(expected, StringComparison.Ordinal)))));

        // Still gated: the provider gets the gate's code, not the client's, and a second send is throttled.
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile, injectedCode: "111111")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        var sent = Assert.Single(_provider.RequestsFor(mobile));
        Assert.Equal((string?)await redis.Server.Database(2).StringGetAsync($"sms_{mobile}"), sent.Code);
    }

    [Fact]
    public async Task Start_PolicyNoRouteNames_WarnsOnceNamingIt()
    {
        var config = Config();
        config.Gate["Policies"]!["spare"] = new JsonObject();
        var host = _resources.Add(new GatewayHost(config).Start());

        Assert.Single(host.Logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Message.Contains("SmsCodeGate:Policies:spare is named by no route", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Message.Contains($"SmsCodeGate:Policies:{GatewayConfig.PolicyName} is named by no route", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("Disable", false)]
    public async Task Start_GatedRouteWithoutAClientRateLimit_WarnsOnceNamingTheRoute(string? rateLimiterPolicy, bool warned)
    {
        var config = Config();
        config.GatedRoute["RateLimiterPolicy"] = rateLimiterPolicy;
        var host = _resources.Add(new GatewayHost(config).Start());

        var warnings = host.Logs.GetSnapshot().Count(l => l.Level == LogLevel.Warning
            && l.Message.Contains($"ReverseProxy:Routes:{GatewayConfig.GatedRouteId}:RateLimiterPolicy is not set", StringComparison.Ordinal));
        Assert.Equal(warned ? 1 : 0, warnings);
    }

    [Fact]
    public async Task Start_NoConfigFileNamed_WarnsThatTheDefaultFileIsRead()
    {
        var empty = Directory.CreateTempSubdirectory("gateway-no-file-").FullName;
        try
        {
            var (unnamedExit, _, unnamed) = await GatewayRun.RunAsync(empty);
            var (namedExit, _, named) = await GatewayRun.RunAsync(empty, "--config", ShippedConfig.Path);

            Assert.Equal((0, 0), (unnamedExit, namedExit));
            Assert.Contains("No --config or GATEWAY_CONFIG was given, so the gateway reads " + ShippedConfig.Path, unnamed.ReplaceLineEndings(" "), StringComparison.Ordinal);
            Assert.DoesNotContain("No --config or GATEWAY_CONFIG was given", named, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private static string Break(GatewayConfig config, string mistake)
    {
        switch (mistake)
        {
            case "misspelt gate key":
                config.GatedRoute["Metadata"] = new JsonObject { ["SmsCodePolicyy"] = GatewayConfig.PolicyName };
                return "Metadata:SmsCodePolicyy is not a gate key";
            case "missing cluster":
                config.GatedRoute["ClusterId"] = "sms-provdier";
                return "ClusterId 'sms-provdier' names no cluster";
            case "unknown route key":
                config.GatedRoute["Orderr"] = 1;
                return $"ReverseProxy:Routes:{GatewayConfig.GatedRouteId}:Orderr is not a setting (did you mean Order?).";
            default:
                config.Root["ReverseProxy"]!["Clusters"]!["sms-provider"]!.AsObject().Remove("Metadata");
                return "which is not marked as an SMS provider";
        }
    }

    private GatewayConfig Config() => new(_provider.Address, redis.Server.ConnectionString);
}
