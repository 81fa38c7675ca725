using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Middleware.Diagnostics;
using Gateway.Middleware.Store;
using Gateway.Middleware.Store.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Gate;

/// <summary>
/// Redis failing halfway: stopped, back again, or answering an error. Time is a fake clock, so the breaker and the
/// log throttle move only when the test moves them; what reached Redis is counted with INFO commandstats.
/// </summary>
public sealed class RedisFailureTests : OwnRedisTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task BreakerOpen_RequestsAnswer503AndSendNothingToRedis_NotEvenALateRevoke()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        await Redis.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        await Redis.StartAsync();
        var connection = host.Services.GetRequiredService<RedisConnection>();
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(connection.Multiplexer.IsConnected), TimeSpan.FromSeconds(20)));

        for (var i = 0; i < 5; i++)
        {
            var refused = await client.RequestCodeAsync(TestMobiles.Next());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("temporarily unavailable", await GatewayClient.MessageOfAsync(refused), StringComparison.Ordinal);
        }

        Assert.Equal(0, await ScriptCallsAsync());

        // Once the break is over, the next request goes through: the connection was there all along. The restarted
        // Redis has forgotten the script, so its source is sent once.
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(1, (await Redis.CommandCountsAsync()).GetValueOrDefault("eval"));
    }

    [Fact]
    public async Task Readiness_WhileTheGateWouldAnswer503_Is503AndRecoversWithIt()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        await Redis.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        await Redis.StartAsync();
        var connection = host.Services.GetRequiredService<RedisConnection>();
        Assert.True(await GatewayClient.EventuallyAsync(() => Task.FromResult(connection.Multiplexer.IsConnected), TimeSpan.FromSeconds(20)));

        // Redis answers again, but the breaker still refuses: readiness says so, and a probe does not close it.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
    }

    [Fact]
    public async Task ServerError_WrongTypeAtACounter_Answers503CountsADataErrorAndLeavesTheBreakerClosed()
    {
        var host = StartGateway(config => config.Policy["MaxPerHour"] = 5);
        using var requests = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), SmsCodeGateDiagnostics.MeterName, "sms_code_gate.requests");
        var client = host.CreateClient();
        var mobile = TestMobiles.Next();
        await Redis.Database(2).ListLeftPushAsync($"sms_hour_{mobile}", "not a counter");

        var response = await client.RequestCodeAsync(mobile);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("temporarily unavailable", await GatewayClient.MessageOfAsync(response), StringComparison.Ordinal);
        var failed = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(SmsCodeGateResults.StoreUnavailable, failed.Tags["sms_code_gate.result"]);
        Assert.Equal("data", failed.Tags["error.type"]);
        Assert.Empty(Provider.Requests);
        Assert.False(await Redis.Database(2).KeyExistsAsync($"send_flag_{mobile}"));

        // The clock stands still, so an opened breaker would still refuse: the next mobile is served, by Redis.
        var calls = await ScriptCallsAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        Assert.Equal(calls + 1, await ScriptCallsAsync());
        Assert.Equal(SmsCodeGateResults.Issued, requests.GetMeasurementSnapshot()[^1].Tags["sms_code_gate.result"]);
    }

    [Fact]
    public async Task StoreDown_FloodOfRequests_OneWarningPerIntervalWithTheCountSuppressed()
    {
        var host = StartGateway();
        var client = host.CreateClient();
        await Redis.StopAsync();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);
        }

        Assert.Single(StoreUnavailableWarnings(host));
        _time.Advance(LogThrottle.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.RequestCodeAsync(TestMobiles.Next())).StatusCode);

        var warnings = StoreUnavailableWarnings(host);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("19 more since the last such line", warnings[1].Message, StringComparison.Ordinal);
    }

    private static List<FakeLogRecord> StoreUnavailableWarnings(GatewayHost host) =>
        host.Logs.GetSnapshot().Where(l => l.Id.Name == "StoreUnavailable" && l.Level == LogLevel.Warning).ToList();

    private async Task<long> ScriptCallsAsync()
    {
        var counts = await Redis.CommandCountsAsync();
        return counts.GetValueOrDefault("evalsha") + counts.GetValueOrDefault("eval");
    }

    private GatewayHost StartGateway(Action<GatewayConfig>? edit = null)
    {
        var config = new GatewayConfig(Provider.Address, Redis.ConnectionString);
        edit?.Invoke(config);
        return Resources.Add(new GatewayHost(config, configureServices: services => services.AddSingleton<TimeProvider>(_time)).Start());
    }
}
