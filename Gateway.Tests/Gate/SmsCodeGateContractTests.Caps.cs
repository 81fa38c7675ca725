using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Middleware.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Gateway.Tests.Gate;

/// <summary>
/// The caps (per mobile, per client address, the spend guard): reached, refused, counted and rolled back, on both
/// stores.
/// </summary>
public abstract partial class SmsCodeGateContractTests
{
    [Theory]
    [InlineData("MaxPerHour", SmsCodeGateResults.RefusedHour, 3600)]
    [InlineData("MaxPerDay", SmsCodeGateResults.RefusedDay, 86400)]
    [InlineData("MaxPerIpPerHour", SmsCodeGateResults.RefusedIp, 3600)]
    public async Task Get_CapReachedWhileTheFlagIsLive_RefusedForTheCapsLongerWaitUnderItsResult(string option, string result, int windowSeconds)
    {
        var host = StartGateway(config => config.Policy[option] = 2);
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        await store.PassSendIntervalAsync(host, mobile);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);

        // The second code's flag is live and the cap is reached: of the two waits, the client is told the longer.
        var refused = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(GatewayClient.LegacyThrottledBody, await refused.Content.ReadAsByteArrayAsync());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, windowSeconds - 300, windowSeconds);
        await requests.WaitForMeasurementsAsync(3).WaitAsync(HangGuard);
        Assert.Equal(
            [SmsCodeGateResults.Issued, SmsCodeGateResults.Issued, result],
            requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["sms_code_gate.result"]!));
        Assert.Equal(2, Provider.RequestsFor(mobile).Count);
        Assert.InRange(await store.SendFlagLeftAsync(host, mobile), 1, 60_000);
    }

    /// <summary>
    /// Behind a trusted proxy, an IPv6 client is counted by its network (the gate's <c>ClientIpv6PrefixLength</c>,
    /// /64 unless set): two addresses of one network share a count, a third address there is refused, and a client
    /// of another network has a count of its own.
    /// </summary>
    [Theory]
    [InlineData(null, "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2:abcd::9", "2001:db8:1:3::1", "2001:db8:1:2::/64", "2001:db8:1:3::/64")]
    [InlineData(48, "2001:db8:1:2::1", "2001:db8:1:ffff::2", "2001:db8:1:8000::9", "2001:db8:2::1", "2001:db8:1::/48", "2001:db8:2::/48")]
    public async Task Get_Ipv6ClientsBehindATrustedProxy_CountedByTheirNetwork(
        int? prefixLength, string first, string second, string third, string otherNetwork, string network, string otherNetworkKey)
    {
        var config = new GatewayConfig(Provider.Address, store.Redis);
        config.Policy["MaxPerIpPerHour"] = 2;
        config.Root["ForwardedHeaders"] = new JsonObject { ["KnownProxies"] = new JsonArray("127.0.0.1") };
        if (prefixLength is { } length)
        {
            config.Gate["ClientIpv6PrefixLength"] = length;
        }

        var host = _resources.Add(new GatewayHost(config, configureServices: store.ConfigureServices)).StartOnKestrel().WaitUntilConnected();
        var client = host.CreateClient();

        var answers = new List<HttpStatusCode>();
        foreach (var address in new[] { first, second, third, otherNetwork })
        {
            answers.Add((await SendFromAsync(client, address)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.OK], answers);
        Assert.Equal(2, await store.CountOfAsync(host, $"sms_ip_hour_{network}"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_ip_hour_{otherNetworkKey}"));
        Assert.Equal(0, await store.CountOfAsync(host, $"sms_ip_hour_{first}"));
        Assert.Equal(0, await store.CountOfAsync(host, "sms_ip_hour_127.0.0.1"));
        Assert.Equal(3, Provider.Requests.Count);
    }

    private static Task<HttpResponseMessage> SendFromAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/sms_codes/{TestMobiles.Next()}/");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request).WaitAsync(HangGuard);
    }

    [Theory]
    [InlineData("MaxPerHour", 3, "sms_hour_{0}", 3600)]
    [InlineData("MaxPerDay", 2, "sms_day_{0}", 86400)]
    public async Task Get_MobileCapReached_NthPassesAndNextIsRefusedWithLegacyBodyUntilTheWindowFrees(string option, int cap, string counterKey, int windowSeconds)
    {
        var host = StartGateway(config => config.Policy[option] = cap);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        for (var i = 0; i < cap; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
            await store.PassSendIntervalAsync(host, mobile);
        }

        var refused = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(GatewayClient.LegacyThrottledBody, await refused.Content.ReadAsByteArrayAsync());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, windowSeconds - 300, windowSeconds);
        Assert.Equal(cap, Provider.RequestsFor(mobile).Count);
        Assert.Equal(cap, await store.CountOfAsync(host, string.Format(System.Globalization.CultureInfo.InvariantCulture, counterKey, mobile)));
        Assert.Equal(0, await store.SendFlagLeftAsync(host, mobile));
    }

    [Fact]
    public async Task Get_RefusedForInterval_CountsNowhere()
    {
        var host = StartGateway(EnableEveryCap);
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(mobile)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.RequestCodeAsync(mobile)).StatusCode);

        Assert.Equal(1, await store.CountOfAsync(host, $"sms_hour_{mobile}"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_day_{mobile}"));
        Assert.Equal(1, await store.CountOfAsync(host, "sms_ip_hour_unknown"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_spend_{GatewayConfig.PolicyName}"));
    }

    [Fact]
    public async Task Get_IpCapReached_OtherMobilesFromTheSameClientAreRefused()
    {
        var host = StartGateway(config => config.Policy["MaxPerIpPerHour"] = 2);
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        var thirdMobile = TestMobiles.Next();
        var refused = await client.RequestCodeAsync(thirdMobile);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(GatewayClient.LegacyThrottledBody, await refused.Content.ReadAsByteArrayAsync());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 3300, 3600);
        Assert.Empty(Provider.RequestsFor(thirdMobile));
    }

    [Fact]
    public async Task Get_SpendGuardReached_Answers503AndLogsAWarning()
    {
        var host = StartGateway(config => config.Policy["MaxSendsPerMinute"] = 2);
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        var thirdMobile = TestMobiles.Next();
        var refused = await client.RequestCodeAsync(thirdMobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("paused", await GatewayClient.MessageOfAsync(refused), StringComparison.Ordinal);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Empty(Provider.RequestsFor(thirdMobile));
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Id.Name == "SpendGuardReached");
        Assert.Equal(0, await store.SendFlagLeftAsync(host, thirdMobile));
    }

    [Fact]
    public async Task Get_ProviderFails_RollsEveryCountBackWithTheFlag()
    {
        var host = StartGateway(EnableEveryCap);
        var client = host.CreateClient();
        var sent = TestMobiles.Next();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(sent)).StatusCode);
        Provider.StatusCode = 500;
        var failed = TestMobiles.Next();

        Assert.Equal(HttpStatusCode.BadGateway, (await client.RequestCodeAsync(failed)).StatusCode);

        Assert.Equal(0, await store.CountOfAsync(host, $"sms_hour_{failed}"));
        Assert.Equal(0, await store.CountOfAsync(host, $"sms_day_{failed}"));
        Assert.Equal(1, await store.CountOfAsync(host, "sms_ip_hour_unknown"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_spend_{GatewayConfig.PolicyName}"));
        Assert.Equal(1, await store.CountOfAsync(host, $"sms_hour_{sent}"));
    }

    private static void EnableEveryCap(GatewayConfig config)
    {
        config.Policy["MaxPerHour"] = 5;
        config.Policy["MaxPerDay"] = 10;
        config.Policy["MaxPerIpPerHour"] = 50;
        config.Policy["MaxSendsPerMinute"] = 100;
    }
}
