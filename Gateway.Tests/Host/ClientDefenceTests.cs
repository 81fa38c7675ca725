using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Host;

/// <summary>Per-client limits: the configured rate limiter on the gated route, and the client IP behind a proxy.</summary>
public sealed class ClientDefenceTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly TestResources _resources = new();
    private RecordingSmsProvider _provider = null!;

    public async Task InitializeAsync()
    {
        await redis.Server.Server.FlushAllDatabasesAsync();
        _provider = await RecordingSmsProvider.StartAsync();
        _resources.Add(_provider);
    }

    public Task DisposeAsync() => _resources.DisposeAsync().AsTask();

    [Theory]
    [InlineData("FixedWindow")]
    [InlineData("SlidingWindow")]
    [InlineData("TokenBucket")]
    public async Task RateLimitPolicy_Exceeded_Answers429WithRetryAfterAndTouchesNeitherRedisNorProvider(string kind)
    {
        var host = Start(config => LimitGatedRoute(config, kind, permits: 2), kestrel: false);
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        var commandsBefore = await redis.Server.CommandsRunAsync();
        var mobile = TestMobiles.Next();

        var limited = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/json", limited.Content.Headers.ContentType?.ToString());
        Assert.Contains("Too many requests", await GatewayClient.MessageOfAsync(limited), StringComparison.Ordinal);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(commandsBefore, await redis.Server.CommandsRunAsync());
        Assert.Empty(_provider.RequestsFor(mobile));
    }

    [Fact]
    public async Task RateLimitPolicy_Exceeded_AnswersInTheGatePolicysWords()
    {
        var host = Start(config =>
        {
            LimitGatedRoute(config, "FixedWindow", permits: 1);
            config.Policy["Answers"] = new JsonObject
            {
                ["TooManyRequests"] = new JsonObject { ["Status"] = 200, ["Body"] = "{{\"code\":4290,\"retry\":{retryAfter}}}" },
            };
        }, kestrel: false);
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        var limited = await client.RequestCodeAsync(TestMobiles.Next());

        Assert.Equal(HttpStatusCode.OK, limited.StatusCode);
        var retryAfter = (long)Assert.NotNull(limited.Headers.RetryAfter?.Delta).TotalSeconds;
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal($"{{\"code\":4290,\"retry\":{retryAfter}}}", await limited.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Start_RouteNamesUnknownRateLimitPolicy_Fails()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        config.GatedRoute["RateLimiterPolicy"] = "nope";
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("nope", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidRateLimitPolicy_FailsNamingTheKey()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        LimitGatedRoute(config, "FixedWindow", permits: 0);
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("ClientRateLimiting:Policies:per-ip:PermitLimit must be positive", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedFor_FromAnUnlistedAddress_ChangesNothing()
    {
        var host = Start(config =>
        {
            LimitGatedRoute(config, "FixedWindow", permits: 1);
            config.Policy["MaxPerIpPerHour"] = 5;
            config.Root["ForwardedHeaders"] = new JsonObject { ["KnownProxies"] = new JsonArray("10.9.9.9") };
        }, kestrel: true);
        var client = host.CreateClient();

        var first = await SendFromAsync(client, "203.0.113.7");
        var second = await SendFromAsync(client, "203.0.113.8");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("1", (string?)await redis.Server.Database(2).StringGetAsync("sms_ip_hour_127.0.0.1"));
        Assert.False(await redis.Server.Database(2).KeyExistsAsync("sms_ip_hour_203.0.113.7"));
    }

    [Fact]
    public async Task ForwardedFor_NoProxyListed_IsIgnoredAndThePerIpCapHolds()
    {
        // Both lists empty, as shipped: ASP.NET Core would take the header from anyone; the gateway reads none.
        var host = Start(config => config.Policy["MaxPerIpPerHour"] = 2, kestrel: true);
        var client = host.CreateClient();

        var answers = new List<HttpStatusCode>();
        foreach (var forged in new[] { "203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5" })
        {
            answers.Add((await SendFromAsync(client, forged)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], answers);
        Assert.Equal("2", (string?)await redis.Server.Database(2).StringGetAsync("sms_ip_hour_127.0.0.1"));
        var ipKeys = redis.Server.Server.Keys(2, "sms_ip_hour_*").Select(k => (string)k!).ToList();
        Assert.Equal(["sms_ip_hour_127.0.0.1"], ipKeys);
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Id.Name == "NoTrustedProxies" && l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task Start_ProxiesListed_LogsWhichAreTrusted()
    {
        var host = Start(config => config.Root["ForwardedHeaders"] = new JsonObject
        {
            ["KnownProxies"] = new JsonArray("127.0.0.1", "::1"),
            ["KnownNetworks"] = new JsonArray("10.0.0.0/8"),
        }, kestrel: false);

        var log = Assert.Single(host.Logs.GetSnapshot(), l => l.Id.Name == "TrustedProxies");
        Assert.Contains("127.0.0.1, ::1", log.Message, StringComparison.Ordinal);
        Assert.Contains("10.0.0.0/8", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedFor_FromAKnownProxy_SetsTheClientIp()
    {
        var host = Start(config =>
        {
            LimitGatedRoute(config, "FixedWindow", permits: 1);
            config.Policy["MaxPerIpPerHour"] = 5;
            config.Root["ForwardedHeaders"] = new JsonObject { ["KnownProxies"] = new JsonArray("127.0.0.1") };
        }, kestrel: true);
        var client = host.CreateClient();

        var first = await SendFromAsync(client, "203.0.113.7");
        var second = await SendFromAsync(client, "198.51.100.1, 203.0.113.8");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("1", (string?)await redis.Server.Database(2).StringGetAsync("sms_ip_hour_203.0.113.7"));
        Assert.Equal("1", (string?)await redis.Server.Database(2).StringGetAsync("sms_ip_hour_203.0.113.8"));
        Assert.False(await redis.Server.Database(2).KeyExistsAsync("sms_ip_hour_198.51.100.1"));
        Assert.False(await redis.Server.Database(2).KeyExistsAsync("sms_ip_hour_127.0.0.1"));
    }

    [Fact]
    public async Task Start_KnownProxyNotAnAddress_FailsNamingTheKey()
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        config.Root["ForwardedHeaders"] = new JsonObject { ["KnownNetworks"] = new JsonArray("10.0.0.0/99") };
        await using var host = new GatewayHost(config);

        var error = Assert.ThrowsAny<Exception>(() => host.Start());

        Assert.Contains("ForwardedHeaders:KnownNetworks:0 must be a network in CIDR notation", error.ToString(), StringComparison.Ordinal);
    }

    private static void LimitGatedRoute(GatewayConfig config, string kind, int permits)
    {
        config.Root["ClientRateLimiting"] = new JsonObject
        {
            ["Policies"] = new JsonObject
            {
                ["per-ip"] = new JsonObject
                {
                    ["Kind"] = kind,
                    ["PermitLimit"] = permits,
                    ["Window"] = "00:01:00",
                    ["TokenLimit"] = Math.Max(permits, 1),
                    ["TokensPerPeriod"] = 1,
                    ["ReplenishmentPeriod"] = "00:01:00",
                },
            },
        };
        config.GatedRoute["RateLimiterPolicy"] = "per-ip";
    }

    private static Task<HttpResponseMessage> SendFromAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{TestMobiles.Next()}/");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private GatewayHost Start(Action<GatewayConfig> edit, bool kestrel)
    {
        var config = new GatewayConfig(_provider.Address, redis.Server.ConnectionString);
        edit(config);
        var host = new GatewayHost(config);
        _resources.Add(host);
        return kestrel ? host.StartOnKestrel() : host.Start();
    }
}
