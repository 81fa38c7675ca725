using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Host;

/// <summary>Configuration of the host: the file, the overrides on top of it, start-up validation and reloads.</summary>
public sealed class GatewayStartupTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = await RecordingSmsProvider.StartAsync();
        _resources.Add(_provider);
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData("SendInterval", "00:00:00", "SmsCodeGate:Policies:test:SendInterval must be positive")]
    [InlineData("CodeLifetime", "-00:00:01", "SmsCodeGate:Policies:test:CodeLifetime must be positive")]
    [InlineData("MobilePattern", "^1[3-9", "SmsCodeGate:Policies:test:MobilePattern is not a valid regular expression")]
    [InlineData("MobilePattern", ".*", "SmsCodeGate:Policies:test:MobilePattern can match 'a', which is not a mobile")]
    [InlineData("MobilePattern", @"\w+", "SmsCodeGate:Policies:test:MobilePattern can match 'a', which is not a mobile")]
    [InlineData("MobilePattern", "[^/]+", "SmsCodeGate:Policies:test:MobilePattern can match 'a', which is not a mobile")]
    [InlineData("MobilePattern", "1.*", "SmsCodeGate:Policies:test:MobilePattern can match '1a', which is not a mobile")]
    [InlineData("SendFlagKey", "sms_1{mobile}", "SmsCodeGate:Policies:test:CodeKey and SmsCodeGate:Policies:test:SendFlagKey can name the same key")]
    [InlineData("SendFlagKey", "send_flag", "SmsCodeGate:Policies:test:SendFlagKey must contain the placeholder {mobile}")]
    [InlineData("CodeKey", "sms_{mobile", "SmsCodeGate:Policies:test:CodeKey has an unpaired '{'")]
    [InlineData("CodeLength", "3", "SmsCodeGate:Policies:test:CodeLength must be between 4 and 10")]
    [InlineData("SendInterval", "soon", "SmsCodeGate:Policies:test:SendInterval must be a duration such as 00:01:00 (was 'soon').")]
    [InlineData("SendInterval", "60", "SmsCodeGate:Policies:test:SendInterval must be a duration such as 00:01:00 (was '60').")]
    [InlineData("SendIntervall", "00:01:00", "SmsCodeGate:Policies:test:SendIntervall is not a setting (did you mean SendInterval?).")]
    public async Task Start_InvalidPolicyValue_FailsNamingTheKey(string key, string value, string expected)
    {
        var config = Config();
        config.Policy[key] = value;
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RouteNamesUnknownPolicy_FailsNamingTheRouteAndPolicy()
    {
        var config = Config();
        config.GatedRoute["Metadata"]!["SmsCodePolicy"] = "nope";
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("Route 'sms-codes': Metadata:SmsCodePolicy names 'nope', which is not defined under SmsCodeGate:Policies", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_GatedRouteWithoutMobileInPath_Fails()
    {
        var config = Config();
        config.GatedRoute["Match"]!["Path"] = "/sms_codes/";
        config.GatedRoute.Remove("Transforms");
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("takes the mobile from Route:mobile, so the route's Match:Path must capture '{mobile}'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ConfigFileMissing_FailsNamingThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");
        await using var host = new GatewayHost(Config(), new Dictionary<string, string?> { ["config"] = missing });

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains(missing, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setting_OnTopOfTheFile_OverridesIt()
    {
        var host = Track(new GatewayHost(Config(), new Dictionary<string, string?>
        {
            ["SmsCodeGate:Policies:test:SendInterval"] = "00:03:00",
        }).Start());
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().RequestCodeAsync(mobile)).StatusCode);

        var left = await redis.Server.Database(2).KeyTimeToLiveAsync($"send_flag_{mobile}");
        Assert.InRange(left!.Value.TotalSeconds, 178, 180);
    }

    [Fact]
    public async Task Reload_ValidChange_AppliesWithoutRestart()
    {
        var config = Config();
        var host = Track(new GatewayHost(config).Start());
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        config.Policy["SendInterval"] = "00:04:00";
        config.WriteTo(host.ConfigPath);

        var mobile = TestMobiles.Next();
        Assert.True(await GatewayClient.EventuallyAsync(async () =>
        {
            var probe = TestMobiles.Next();
            await client.RequestCodeAsync(probe);
            var left = await redis.Server.Database(2).KeyTimeToLiveAsync($"send_flag_{probe}");
            return left?.TotalSeconds > 200;
        }));
    }

    [Fact]
    public async Task Reload_AddsAPolicyARouteAndACluster_TheNewAppIsGatedWithoutRestart()
    {
        var config = Config();
        var host = Track(new GatewayHost(config).Start());
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);

        var shopProvider = _resources.Add(await RecordingSmsProvider.StartAsync());
        config.Gate["Policies"]!["shop"] = new System.Text.Json.Nodes.JsonObject { ["SendFlagKey"] = "shop_flag_{mobile}", ["CodeKey"] = "shop_code_{mobile}", ["CodeStateKey"] = "shop_state_{mobile}" };
        var proxy = config.Root["ReverseProxy"]!;
        proxy["Routes"]!["shop-sms"] = new System.Text.Json.Nodes.JsonObject
        {
            ["ClusterId"] = "shop-provider",
            ["Match"] = new System.Text.Json.Nodes.JsonObject { ["Path"] = "/shop/sms_codes/{mobile}/", ["Methods"] = new System.Text.Json.Nodes.JsonArray("GET") },
            ["Metadata"] = new System.Text.Json.Nodes.JsonObject { ["SmsCodePolicy"] = "shop" },
            ["Transforms"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["PathPattern"] = "/send/{mobile}" }),
        };
        proxy["Clusters"]!["shop-provider"] = new System.Text.Json.Nodes.JsonObject
        {
            ["Metadata"] = new System.Text.Json.Nodes.JsonObject { ["SmsProvider"] = "true" },
            ["Destinations"] = new System.Text.Json.Nodes.JsonObject { ["a"] = new System.Text.Json.Nodes.JsonObject { ["Address"] = shopProvider.Address.ToString() } },
        };
        config.WriteTo(host.ConfigPath);

        // Until the reload lands the path falls to the catch-all; then the same mobile is a fresh one for the new app:
        // its own keys, its own provider, its own one way in.
        Assert.True(await GatewayClient.EventuallyAsync(async () =>
        {
            var answer = await client.GetAsync(new Uri($"/shop/sms_codes/{mobile}/", UriKind.Relative));
            return shopProvider.RequestsFor(mobile).Count > 0 && answer.StatusCode == HttpStatusCode.OK;
        }));
        Assert.Single(shopProvider.RequestsFor(mobile));
        Assert.Equal(shopProvider.RequestsFor(mobile)[0].Code, (string?)await redis.Server.Database(2).StringGetAsync($"shop_code_{mobile}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(new Uri($"/shop/sms_codes/{mobile}/", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.PostAsync(new Uri($"/shop/sms_codes/{mobile}/", UriKind.Relative), null)).StatusCode);
    }

    [Fact]
    public async Task Reload_InvalidPolicy_KeepsLastGoodAndLogsWhy()
    {
        var config = Config();
        var host = Track(new GatewayHost(config).Start());
        var client = host.CreateClient();

        config.Policy["SendInterval"] = "00:00:00";
        config.WriteTo(host.ConfigPath);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(
            host.Logs.GetSnapshot().Any(l => l.Level == LogLevel.Error && l.Message.Contains("SmsCodeGate:Policies:test:SendInterval must be positive", StringComparison.Ordinal)))));

        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        var left = await redis.Server.Database(2).KeyTimeToLiveAsync($"send_flag_{mobile}");
        Assert.InRange(left!.Value.TotalSeconds, 58, 60);
    }

    [Fact]
    public async Task Reload_RouteNamingUnknownPolicy_KeepsLastGoodRoutes()
    {
        var config = Config();
        var host = Track(new GatewayHost(config).Start());
        var client = host.CreateClient();

        config.GatedRoute["Metadata"] = new JsonObject { ["SmsCodePolicy"] = "nope" };
        config.WriteTo(host.ConfigPath);
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(
            host.Logs.GetSnapshot().Any(l => l.FullText().Contains("names 'nope'", StringComparison.Ordinal)))));

        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Single(_provider.RequestsFor(mobile));
    }

    [Fact]
    public async Task Health_LiveAndReady_AreServedByTheGatewayItself()
    {
        var host = Track(new GatewayHost(Config()).Start());
        var client = host.CreateClient();

        var live = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Empty(_provider.Requests);
    }

    private GatewayConfig Config() => new(_provider.Address, redis.Server.ConnectionString);

    private GatewayHost Track(GatewayHost host)
    {
        _resources.Add(host);
        return host;
    }
}
